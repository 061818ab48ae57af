"""Reads a TensorBoard event file as TensorBoard does, independently of evostream's writer.

Each TFRecord record's length and data are checked against their masked CRC-32C (computed
here bit by bit), and each record is parsed as TensorFlow's Event message with Google's
protobuf library (the message types built from their field numbers, as event.proto and
summary.proto declare them). Prints JSON: {"file_version": ..., "scalars": {tag: [[step,
value, wall_time], ...]}}. Exits 1 on a bad record.

Usage: python3 tensorboard_check.py FILE
"""
import json
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def event_type():
    f = descriptor_pb2.FileDescriptorProto(name="event_check.proto", package="check",
                                           syntax="proto3")
    value = f.message_type.add(name="Value")
    value.field.add(name="tag", number=1, type=9, label=1)
    value.field.add(name="simple_value", number=2, type=2, label=1)
    summary = f.message_type.add(name="Summary")
    summary.field.add(name="value", number=1, type=11, label=3, type_name=".check.Value")
    event = f.message_type.add(name="Event")
    event.field.add(name="wall_time", number=1, type=1, label=1)
    event.field.add(name="step", number=2, type=3, label=1)
    event.field.add(name="file_version", number=3, type=9, label=1)
    event.field.add(name="summary", number=5, type=11, label=1, type_name=".check.Summary")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return message_factory.MessageFactory(pool).GetPrototype(
        pool.FindMessageTypeByName("check.Event"))


def main(path):
    Event = event_type()
    data = open(path, "rb").read()
    at = 0
    out = {"file_version": None, "scalars": {}}
    while at < len(data):
        header = data[at:at + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[at + 8:at + 12])
        if masked(crc32c(header)) != length_crc:
            sys.exit(f"record at byte {at}: the length's CRC does not match")
        body = data[at + 12:at + 12 + length]
        (body_crc,) = struct.unpack("<I", data[at + 12 + length:at + 16 + length])
        if len(body) != length or masked(crc32c(body)) != body_crc:
            sys.exit(f"record at byte {at}: the data's CRC does not match")
        event = Event()
        event.ParseFromString(body)
        if event.file_version:
            out["file_version"] = event.file_version
        for v in event.summary.value:
            out["scalars"].setdefault(v.tag, []).append(
                [event.step, v.simple_value, event.wall_time])
        at += 16 + length
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
