#!/usr/bin/env python3
"""streamlearn from Python: send a LabeledEvent, read back its Prediction.

Values on streamlearn's topics are Avro in the specification's *single-object encoding*:

    C3 01 | 8-byte little-endian CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form | body

so any Avro library reads and writes them without a schema registry. This example uses the Debian
packages python3-confluent-kafka and python3-avro (apt-get install python3-confluent-kafka
python3-avro) and the .avsc files of the repository (schemas/src/main/avro).

    python3 examples/python/streamlearn_client.py --bootstrap-servers localhost:9092 \
        --features 0.1,0.2,0.3 --label 2

It produces one LabeledEvent to streamlearn.labeled, waits for the Prediction with the same id on
streamlearn.predictions (read_committed: the inference service writes in transactions) and prints
it as JSON.

With your own JSON records (a trainer and inference run with --input-format json and a feature
spec), --json sends one plain JSON object, as it is, to --topic, keyed by --id:

    python3 examples/python/streamlearn_client.py --bootstrap-servers localhost:9092 --topic flights \
        --json '{"date": "2001/01/01 00:47", "delay": 66, "distance": 1750, "origin": "DTW", "destination": "LAS"}'

Next to `./streamlearn demo --dataset flights` (raw Flights JSON, label delay>15), the topic is
streamlearn.labeled.
"""
import argparse
import datetime
import io
import json
import os
import struct
import sys
import time
import uuid

import avro.errors
import avro.io
import avro.schema
from confluent_kafka import Consumer, Producer, TopicPartition

MAGIC = b"\xc3\x01"
PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
CRC64_EMPTY = 0xC15D213AA4D7A795
CRC64_TABLE = []
for _i in range(256):
    _fp = _i
    for _ in range(8):
        _fp = (_fp >> 1) ^ (CRC64_EMPTY if _fp & 1 else 0)
    CRC64_TABLE.append(_fp)


def crc64_avro(data: bytes) -> int:
    """The Avro specification's 64-bit Rabin fingerprint (CRC-64-AVRO)."""
    fp = CRC64_EMPTY
    for b in data:
        fp = (fp >> 8) ^ CRC64_TABLE[(fp ^ b) & 0xFF]
    return fp


def canonical_form(schema, namespace=None) -> str:
    """The Parsing Canonical Form of a schema given as parsed JSON.

    Written here rather than taken from the avro package, whose canonical_form (1.11) keeps
    logical types as {"type": "long"} where the specification asks for "long"; the fingerprint
    must match the Java side's byte for byte.
    """
    def full(name, ns):
        return name if "." in name or not ns else ns + "." + name

    if isinstance(schema, str):
        return json.dumps(schema if schema in PRIMITIVES else full(schema, namespace))
    if isinstance(schema, list):
        return "[" + ",".join(canonical_form(s, namespace) for s in schema) + "]"
    t = schema["type"]
    if isinstance(t, (dict, list)) or (t in PRIMITIVES):
        return canonical_form(t, namespace)
    if t in ("record", "error"):
        name = full(schema["name"], schema.get("namespace", namespace))
        ns = name.rsplit(".", 1)[0] if "." in name else None
        fields = ",".join('{"name":%s,"type":%s}' % (json.dumps(f["name"]), canonical_form(f["type"], ns))
                          for f in schema["fields"])
        return '{"name":%s,"type":"record","fields":[%s]}' % (json.dumps(name), fields)
    if t == "enum":
        name = full(schema["name"], schema.get("namespace", namespace))
        return '{"name":%s,"type":"enum","symbols":%s}' % (json.dumps(name),
                                                           json.dumps(schema["symbols"], separators=(",", ":")))
    if t == "array":
        return '{"type":"array","items":%s}' % canonical_form(schema["items"], namespace)
    if t == "map":
        return '{"type":"map","values":%s}' % canonical_form(schema["values"], namespace)
    if t == "fixed":
        name = full(schema["name"], schema.get("namespace", namespace))
        return '{"name":%s,"type":"fixed","size":%d}' % (json.dumps(name), schema["size"])
    return json.dumps(full(t, namespace))  # a reference to a named type


class FirstMatchDatumWriter(avro.io.DatumWriter):
    """Writes a union value with the first branch that fits it.

    avro 1.11 takes the *last* branch that fits, so a class index 2 in LabeledEvent's
    ["int", "float"] label would go out as the float 2.0: a regression target, which a
    classification model refuses (dead letter). Java and most other libraries take the first.
    """

    def write_union(self, writers_schema, datum, encoder):
        for i, candidate in enumerate(writers_schema.schemas):
            if avro.io.validate(candidate, datum):
                encoder.write_long(i)
                return self.write_data(candidate, datum, encoder)
        raise avro.errors.AvroTypeException(writers_schema, datum)


class SingleObjectCodec:
    """Writes and reads one record type in the single-object encoding."""

    def __init__(self, avsc_path):
        with open(avsc_path, encoding="utf-8") as f:
            text = f.read()
        self.schema = avro.schema.parse(text)
        self.fingerprint = crc64_avro(canonical_form(json.loads(text)).encode("utf-8"))
        self.header = MAGIC + struct.pack("<Q", self.fingerprint)
        self.writer = FirstMatchDatumWriter(self.schema)
        self.reader = avro.io.DatumReader(self.schema)

    def encode(self, record) -> bytes:
        buf = io.BytesIO()
        buf.write(self.header)
        self.writer.write(record, avro.io.BinaryEncoder(buf))
        return buf.getvalue()

    def decode(self, value: bytes):
        if value[:2] != MAGIC:
            raise ValueError("not single-object encoded (starts with %r)" % value[:2])
        fp = struct.unpack("<Q", value[2:10])[0]
        if fp != self.fingerprint:
            raise ValueError("written with schema fingerprint %016x, expected %s (%016x)"
                             % (fp, self.schema.fullname, self.fingerprint))
        return self.reader.read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bootstrap-servers", default="localhost:9092")
    p.add_argument("--labeled-topic", default="streamlearn.labeled")
    p.add_argument("--predictions-topic", default="streamlearn.predictions")
    p.add_argument("--schemas", default=os.path.join(here, "..", "..", "schemas", "src", "main", "avro"),
                   help="directory of the .avsc files")
    p.add_argument("--id", default="py-" + uuid.uuid4().hex[:12])
    p.add_argument("--features", help="comma-separated floats (--features=-0.5,1.2 when the first is negative)")
    p.add_argument("--label", type=int, help="the class index")
    p.add_argument("--json", help="a JSON object of your own to send as it is (instead of --features/--label)")
    p.add_argument("--topic", help="with --json: the topic your records go to (the one --input-format json reads)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the prediction")
    args = p.parse_args(argv)
    if args.json is None and (args.features is None or args.label is None):
        p.error("give --features and --label (a LabeledEvent), or --json and --topic (your own record)")
    if args.json is not None:
        if args.topic is None:
            p.error("--json needs --topic")
        try:
            if not isinstance(json.loads(args.json), dict):
                p.error("--json must be one JSON object")
        except ValueError as e:
            p.error("--json is not JSON: %s" % e)

    labeled = SingleObjectCodec(os.path.join(args.schemas, "LabeledEvent.avsc"))
    predictions = SingleObjectCodec(os.path.join(args.schemas, "Prediction.avsc"))

    # Start reading at the current end of every partition before producing, so the prediction
    # cannot be missed. Assigning partitions (no group subscription) moves nobody's offsets.
    consumer = Consumer({"bootstrap.servers": args.bootstrap_servers,
                         "group.id": "streamlearn-python-example",
                         "isolation.level": "read_committed", "enable.auto.commit": False})
    deadline = time.time() + args.timeout
    topic = consumer.list_topics(args.predictions_topic, timeout=30).topics[args.predictions_topic]
    if topic.error is not None or not topic.partitions:
        print("topic %s not found: %s" % (args.predictions_topic, topic.error), file=sys.stderr)
        return 1
    start = []
    for partition in topic.partitions:
        _, high = consumer.get_watermark_offsets(TopicPartition(args.predictions_topic, partition), timeout=30)
        start.append(TopicPartition(args.predictions_topic, partition, high))
    consumer.assign(start)

    producer = Producer({"bootstrap.servers": args.bootstrap_servers, "acks": "all"})
    if args.json is not None:
        # Your record as it is: its UTF-8 text is the value, no Avro, no wrapping. The key is the
        # id the prediction comes back under (inference's default --id-field is the record key).
        producer.produce(args.topic, key=args.id.encode("utf-8"), value=args.json.encode("utf-8"))
    else:
        event = {"id": args.id, "eventTime": datetime.datetime.now(datetime.timezone.utc),
                 "features": [float(x) for x in args.features.split(",")], "label": args.label}
        producer.produce(args.labeled_topic, key=args.id.encode("utf-8"), value=labeled.encode(event))
    if producer.flush(30) != 0:
        print("event %s not delivered within 30 s" % args.id, file=sys.stderr)
        return 1

    try:
        while time.time() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error() or msg.key() != args.id.encode("utf-8"):
                continue
            p = predictions.decode(msg.value())
            print(json.dumps({"id": p["id"], "model": p["model"], "modelVersion": p["modelVersion"],
                              "predictedClass": p["predictedClass"],
                              "predictedLabel": p.get("predictedLabel"), "label": p["label"],
                              "scores": [round(s, 6) for s in p["scores"]],
                              "latencyMicros": p["latencyMicros"]}))
            return 0
    finally:
        consumer.close()
    print("no prediction for %s within %.0f s" % (args.id, args.timeout), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
