"""Test client for fake-gcs-server's JSON API: objects whose names gsutil cannot address.

  gcs_objects.py put BUCKET FILE   FILE: {"name": "body", ...}; each object, name as given
  gcs_objects.py dump BUCKET   > {"name": "body", ...}   every object in the bucket
  gcs_objects.py rm BUCKET NAME

The endpoint comes from BOTO_CONFIG (gs_json_host/gs_json_port), as for gsutil.
"""
import configparser
import json
import os
import ssl
import sys
import urllib.parse
import urllib.request

boto = configparser.ConfigParser()
boto.read(os.environ["BOTO_CONFIG"])
BASE = "https://%s:%s" % (boto["Credentials"]["gs_json_host"], boto["Credentials"]["gs_json_port"])
CTX = ssl._create_unverified_context()


def call(method, path, data=None):
    req = urllib.request.Request(BASE + path, data=data, method=method)
    with urllib.request.urlopen(req, context=CTX, timeout=30) as resp:
        return resp.read()


def quote(name):
    return urllib.parse.quote(name, safe="")


def main():
    cmd, bucket = sys.argv[1], sys.argv[2]
    if cmd == "put":
        with open(sys.argv[3], encoding="utf-8") as f:
            objects = json.load(f)
        for name, body in objects.items():
            call("POST", "/upload/storage/v1/b/%s/o?uploadType=media&name=%s" % (bucket, quote(name)), body.encode())
    elif cmd == "rm":
        call("DELETE", "/storage/v1/b/%s/o/%s" % (bucket, quote(sys.argv[3])))
    elif cmd == "dump":
        out, token = {}, ""
        for _ in range(1000):
            page = json.loads(call("GET", "/storage/v1/b/%s/o?maxResults=1000%s" % (bucket, token)))
            for item in page.get("items", []):
                name = item["name"]
                out[name] = call("GET", "/storage/v1/b/%s/o/%s?alt=media" % (bucket, quote(name))).decode()
            if "nextPageToken" not in page:
                break
            token = "&pageToken=" + quote(page["nextPageToken"])
        json.dump(out, sys.stdout)
    else:
        sys.exit("unknown command " + cmd)


main()
