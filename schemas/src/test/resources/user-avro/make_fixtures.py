#!/usr/bin/python3
"""Writes the recorded bytes the user-record tests decode: run with Debian's python3-avro (1.11).

  cd schemas/src/test/resources/user-avro && /usr/bin/python3 make_fixtures.py

The Avro body comes from python-avro's DatumWriter; every header is written here by hand, so the
tests check our Java decoders against bytes that no Java code produced:
  - single-object encoding: C3 01, the writer schema's CRC-64-AVRO fingerprint (8 bytes, little
    endian), the body;
  - Confluent's wire format: the magic byte 0, the schema id (4 bytes, big endian), the body.
python-avro 1.11's canonical_form breaks the spec's PRIMITIVES rule for a primitive with a logical
type (the decimal "fare" comes out as {"type":"bytes"}, not "bytes"), which changes the
fingerprint, so the Parsing Canonical Form and its CRC-64-AVRO are computed here from the spec. Its
decimal writer also drops the sign byte of an unscaled value whose top bit is set (41250 comes
out as A1 22, which reads back as -24286), so the fares below avoid such values.
Outputs: single-object.hex, confluent.hex (one "label hex" pair a line), expected.json (the
records as JSON), registry/*.json (the registry's responses, in Confluent's documented shape).
"""
import decimal
import io
import json
import os

import avro.io
import avro.schema

HERE = os.path.dirname(os.path.abspath(__file__))

# CRC-64-AVRO, as the specification's "Schema Fingerprints" section gives it.
EMPTY = 0xC15D213AA4D7A795
TABLE = []
for i in range(256):
    fp = i
    for _ in range(8):
        fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
    TABLE.append(fp & 0xFFFFFFFFFFFFFFFF)


def crc64_avro(data):
    fp = EMPTY
    for b in data:
        fp = (fp >> 8) ^ TABLE[(fp ^ b) & 0xFF]
    return fp


PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def canonical(schema, namespace=None, seen=None):
    """The Parsing Canonical Form of a schema given as parsed JSON (spec rules PRIMITIVES,
    FULLNAMES, STRIP, ORDER; WHITESPACE by json.dumps separators)."""
    seen = set() if seen is None else seen
    if isinstance(schema, list):
        return [canonical(s, namespace, seen) for s in schema]
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return schema
        return schema if "." in schema or not namespace else namespace + "." + schema
    kind = schema["type"]
    if kind in PRIMITIVES:
        return kind
    if kind in ("record", "enum", "fixed"):
        name = schema["name"]
        if "." not in name and schema.get("namespace", namespace):
            name = schema.get("namespace", namespace) + "." + name
        if name in seen:
            return name
        seen.add(name)
        inner = name.rsplit(".", 1)[0] if "." in name else None
        out = {"name": name, "type": kind}
        if kind == "record":
            out["fields"] = [{"name": f["name"], "type": canonical(f["type"], inner, seen)}
                             for f in schema["fields"]]
        elif kind == "enum":
            out["symbols"] = schema["symbols"]
        else:
            out["size"] = schema["size"]
        return out
    if kind == "array":
        return {"type": "array", "items": canonical(schema["items"], namespace, seen)}
    if kind == "map":
        return {"type": "map", "values": canonical(schema["values"], namespace, seen)}
    raise ValueError("unknown schema type " + repr(kind))


def pcf(schema_json):
    return json.dumps(canonical(schema_json), separators=(",", ":"))


def body(schema, record):
    out = io.BytesIO()
    avro.io.DatumWriter(schema).write(record, avro.io.BinaryEncoder(out))
    return out.getvalue()


def load(name):
    with open(os.path.join(HERE, name)) as f:
        text = f.read()
    return text, json.loads(text), avro.schema.parse(text)


V1_TEXT, V1_JSON, V1 = load("flight-v1.avsc")
V2_TEXT, V2_JSON, V2 = load("flight-v2.avsc")
FP1 = crc64_avro(pcf(V1_JSON).encode("utf-8"))
FP2 = crc64_avro(pcf(V2_JSON).encode("utf-8"))
V1_ID, V2_ID = 7, 8

v1_records = [
    {"date": "2001/01/01 00:47", "delay": 66, "distance": 1750.0, "origin": "DTW",
     "destination": "LAS", "carrier": "DL", "cancelled": False, "note": None,
     "user": {"country": "US", "age": 41, "tags": ["frequent", "gold"]},
     "legs": [1.5, 2.25], "attributes": {"bags": 2, "seat": 14}, "fare": decimal.Decimal("312.50")},
    {"date": "2001/01/01 06:10", "delay": -3, "distance": 239.5, "origin": "SJC",
     "destination": "LAX", "carrier": "WN", "cancelled": True, "note": "weather \u00e9t\u00e9",
     "user": {"country": "FR", "age": None, "tags": []},
     "legs": [], "attributes": {}, "fare": decimal.Decimal("-0.07")},
]
v2_records = [
    {"date": "2001/01/02 13:05", "delay": 15, "distance": 2586.0, "origin": "JFK",
     "destination": "SFO", "carrier": "UA", "cancelled": False, "note": None,
     "user": {"country": "DE", "age": 29, "tags": ["new"]},
     "legs": [5.75], "attributes": {"bags": 0}, "fare": decimal.Decimal("1234567.89"),
     "aircraft": "A320"},
]


def single_object(fingerprint, payload):
    return b"\xc3\x01" + fingerprint.to_bytes(8, "little") + payload


def confluent(schema_id, payload):
    return b"\x00" + schema_id.to_bytes(4, "big") + payload


def as_json(record):
    return {k: (str(v) if isinstance(v, decimal.Decimal) else v) for k, v in record.items()}


def main():
    single, wire, expected = [], [], []
    for i, r in enumerate(v1_records):
        b = body(V1, r)
        single.append("v1-%d %s" % (i, single_object(FP1, b).hex()))
        wire.append("v1-%d %s" % (i, confluent(V1_ID, b).hex()))
        expected.append({"label": "v1-%d" % i, "record": as_json(r)})
    for i, r in enumerate(v2_records):
        b = body(V2, r)
        single.append("v2-%d %s" % (i, single_object(FP2, b).hex()))
        wire.append("v2-%d %s" % (i, confluent(V2_ID, b).hex()))
        expected.append({"label": "v2-%d" % i, "record": as_json(r)})
    with open(os.path.join(HERE, "single-object.hex"), "w") as f:
        f.write("\n".join(single) + "\n")
    with open(os.path.join(HERE, "confluent.hex"), "w") as f:
        f.write("\n".join(wire) + "\n")
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump({"fingerprints": {"flight-v1.avsc": "%016x" % FP1, "flight-v2.avsc": "%016x" % FP2},
                   "schemaIds": {"flight-v1.avsc": V1_ID, "flight-v2.avsc": V2_ID},
                   "records": expected}, f, indent=2, ensure_ascii=False)
        f.write("\n")
    # The registry's answers to GET /schemas/ids/{id}, shaped as Confluent's API reference shows
    # them: "schema" holds the schema as a JSON string; "schemaType" is absent for Avro on
    # registries before 7.x and "AVRO" on some newer ones, so one of each.
    reg = os.path.join(HERE, "registry")
    os.makedirs(reg, exist_ok=True)
    responses = {
        "schemas-ids-%d.json" % V1_ID: {"schema": json.dumps(V1_JSON, separators=(",", ":"))},
        "schemas-ids-%d.json" % V2_ID: {"schema": json.dumps(V2_JSON, separators=(",", ":")),
                                        "schemaType": "AVRO"},
    }
    for name, payload in responses.items():
        with open(os.path.join(reg, name), "w") as f:
            json.dump(payload, f)
            f.write("\n")


if __name__ == "__main__":
    main()
