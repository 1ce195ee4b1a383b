"""Test-side executor for the Spark SQL archc emits for Delta tables, run through delta-rs.

Spark with Delta cannot be installed on these machines; this maps the statement shapes archc
writes onto delta-rs (DataFusion evaluates the predicates as written):
  DESCRIBE HISTORY t | SELECT COUNT(*) FROM t [WHERE p] |
  SELECT assert_true(condition, 'msg') FROM ... (the condition evaluated by DataFusion) |
  SELECT assert_true(COUNT(*) = 0, 'msg') FROM (SELECT to_json(struct(*)) ... EXCEPT ALL ...)
    (a multiset difference of the rows, computed here) |
  CREATE TABLE IF NOT EXISTS a USING DELTA AS SELECT ... | SELECT attempt FROM t |
  INSERT INTO t SELECT * FROM a WHERE p AND (SELECT COUNT(*) FROM t WHERE p) = 0 |
  DELETE FROM t WHERE p | GENERATE symlink_format_manifest FOR TABLE t | VACUUM t RETAIN n HOURS
Tables are path tables, delta.`path`. Anything else is an error.
"""
import collections
import json
import os
import re
import shutil
import sys

import pyarrow as pa
from deltalake import DeltaTable, QueryBuilder, write_deltalake

PATH = r"delta\.`([^`]+)`"


def options(argv):
    variables, file = {}, None
    i = 0
    while i < len(argv):
        if argv[i] == "-S":
            i += 1
        elif argv[i] in ("--hivevar", "-d"):
            key, value = argv[i + 1].split("=", 1)
            variables[key] = value
            i += 2
        elif argv[i] == "-f":
            file = argv[i + 1]
            i += 2
        else:
            sys.exit(f"spark-sql (delta-rs executor): unsupported argument {argv[i]}")
    return variables, file


def statements(text, variables):
    for key, value in variables.items():
        text = text.replace("${" + key + "}", value)
    text = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


def query(sql):
    """Runs a SELECT with every delta.`path` registered as a table."""
    builder, names = QueryBuilder(), {}
    for path in re.findall(PATH, sql):
        names.setdefault(path, f"t{len(names)}")
    for path, name in names.items():
        builder = builder.register(name, DeltaTable(path))
    sql = re.sub(PATH, lambda m: names[m.group(1)], sql).replace("`", '"')
    return pa.table(builder.execute(sql).read_all())


ROWS = r"SELECT to_json\(struct\(\*\)\) AS archc_row (FROM .*?)"


def json_rows(source):
    """The rows of `FROM ...` as Spark's to_json(struct(*)) would compare them: one JSON text
    per row, its columns in order (a multiset: duplicates and NULLs count)."""
    return collections.Counter(
        json.dumps(row, default=str) for row in query("SELECT * " + source).to_pylist()
    )


def run(stmt):
    flat = " ".join(stmt.split())
    if m := re.fullmatch(
        r"SELECT assert_true\( COUNT\(\*\) = 0, '([^']*)' \) FROM \( "
        + ROWS + " EXCEPT ALL " + ROWS + r" \) AS \w+",
        flat,
    ):
        # DataFusion's EXCEPT ALL is not a multiset difference; this is Spark's.
        if json_rows(m.group(2)) - json_rows(m.group(3)):
            sys.stderr.write(f"java.lang.RuntimeException: {m.group(1)}\n")
            sys.stderr.flush()
            os._exit(1)
    elif m := re.fullmatch(r"DESCRIBE HISTORY " + PATH, flat):
        for entry in DeltaTable(m.group(1)).history():
            print(f"{entry.get('version')}\t{entry.get('operation')}")
    elif m := re.fullmatch(r"SELECT assert_true\( (.*), '([^']*)' \) (FROM .*)", flat):
        # DataFusion evaluates the asserted condition as written.
        holds = query(f"SELECT {m.group(1)} {m.group(3)}").column(0)[0].as_py()
        if holds is not True:
            # Spark stops the statement file at the first failing statement.
            sys.stderr.write(f"java.lang.RuntimeException: {m.group(2)}\n")
            sys.stderr.flush()
            os._exit(1)
    elif flat.startswith("SELECT COUNT(*) FROM") or flat.startswith("SELECT attempt FROM"):
        for value in query(flat).column(0):
            print(value.as_py())
    elif m := re.fullmatch(r"CREATE TABLE IF NOT EXISTS " + PATH + r" USING DELTA AS (SELECT .*)", flat):
        target = m.group(1)
        if not os.path.isdir(os.path.join(target, "_delta_log")):
            write_deltalake(target, query(m.group(2)))
    elif m := re.fullmatch(r"INSERT INTO " + PATH + r" (SELECT .*)", flat):
        rows = query(m.group(2))
        if rows.num_rows:
            target = DeltaTable(m.group(1))
            schema = target.schema().to_arrow()
            write_deltalake(m.group(1), rows.cast(pa.schema(schema)), mode="append",
                            partition_by=target.metadata().partition_columns or None)
    elif m := re.fullmatch(r"DELETE FROM " + PATH + r" WHERE (.*)", flat):
        DeltaTable(m.group(1)).delete(m.group(2).replace("`", '"'))
    elif m := re.fullmatch(r"GENERATE symlink_format_manifest FOR TABLE " + PATH, flat):
        # Spark rewrites the manifest from scratch; delta-rs keeps stale partitions.
        shutil.rmtree(os.path.join(m.group(1), "_symlink_format_manifest"), ignore_errors=True)
        DeltaTable(m.group(1)).generate()
    elif m := re.fullmatch(r"VACUUM " + PATH + r" RETAIN (\d+) HOURS", flat):
        DeltaTable(m.group(1)).vacuum(retention_hours=int(m.group(2)), dry_run=False, enforce_retention_duration=False)
    else:
        sys.exit(f"spark-sql (delta-rs executor): unsupported statement: {flat}")


def main():
    variables, file = options(sys.argv[1:])
    with open(file or "/dev/stdin") as f:
        text = f.read()
    for stmt in statements(text, variables):
        run(stmt)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # delta-rs' runtime can abort at interpreter shutdown
