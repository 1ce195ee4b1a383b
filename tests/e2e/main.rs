//! End to end: archc's scripts executed by the real tools against real servers on
//! 127.0.0.1 (started by scripts/e2e-services.sh), with a failure and a kill -9 injected
//! at every step, and the gate shown to stop deletes.

#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod harness;

mod aws;
mod delta;
mod elasticsearch;
mod gcs;
mod hdfs;
mod hive;
mod lifecycles;
mod local;
mod mysql;
mod names;
mod postgres;
mod runs;
