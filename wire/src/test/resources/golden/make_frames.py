#!/usr/bin/env python3
"""Independent encoder for the golden frames in frames.txt.

Written from the protobuf wire-format rules (https://protobuf.dev/programming-guides/encoding/),
without any protobuf library, so that FrameGoldenTest compares protobuf-java against a second
implementation: a key is varint(field << 3 | wire_type); wire type 0 = varint, 2 = length-delimited;
proto3 omits fields at their default (0, "", empty, false) unless the field is `optional`.
A frame on the wire is u32 big-endian length of the body, then the body.

Run: python3 make_frames.py > frames.txt; python3 make_frames.py content > content.txt
(values mirror SampleFrames.java and ContentGoldenTest.java)
"""

VARINT, LEN = 0, 2


def varint(n):
    n &= (1 << 64) - 1  # negative int64 / uint64 -1 encode as 10 bytes
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wire_type):
    return varint(field << 3 | wire_type)


def u(field, value, optional=False):
    """A varint field (uint32, uint64, bool, enum); proto3 omits the default."""
    if value == 0 and not optional:
        return b""
    return key(field, VARINT) + varint(value)


def b(field, data):
    """A bytes, string or sub-message field; proto3 omits an empty bytes/string."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) == 0:
        return b""
    return key(field, LEN) + varint(len(data)) + data


def msg(field, data):
    """A sub-message field: present even when empty (a set oneof or message field)."""
    return key(field, LEN) + varint(len(data)) + data


def frame(request_id, body_field, body):
    body_bytes = u(1, request_id) + msg(body_field, body)
    return len(body_bytes).to_bytes(4, "big") + body_bytes


def address(user, device):
    return b(1, user) + u(2, device)


def spk(id_, pk, sig):
    return u(1, id_) + b(2, pk) + b(3, sig)


def otpk(id_, pk):
    return u(1, id_) + b(2, pk)


def kdf(m, t, p):
    return u(1, m) + u(2, t) + u(3, p)


LIMITS = u(1, 16384) + u(2, 1048576) + u(3, 30000) + u(4, 90000) + u(5, 10000) + u(6, 262144)
SERVER_ID = bytes(range(16))
ID1 = bytes(range(0x10, 0x20))
ID2 = bytes(range(0x20, 0x30))
T = 1700000000000
BOB1 = address("bob", 1)
ALICE1 = address("alice", 1)

FRAMES = [
    ("hello", frame(1, 10, u(1, 1) + b(2, "cli"))),
    ("welcome", frame(1, 11, u(1, 1) + b(2, SERVER_ID) + msg(3, LIMITS) + u(4, T) + u(5, 1))),
    ("error", frame(5, 12, u(1, 14) + b(2, "wait") + u(3, 1500, optional=True))),
    ("error_retry_zero", frame(5, 12, u(1, 21) + u(3, 0, optional=True))),
    ("error_unsupported_version", frame(1, 12,
        u(1, 3) + b(2, "This server does not speak protocol version 2; it speaks version 1.")
        + b(4, varint(1)))),  # repeated uint32 is packed in proto3: one length-delimited field
    ("ping", frame(7, 13, u(1, 42))),
    ("ping_max_request_id", frame(2**64 - 1, 13, u(1, 0))),
    ("pong", frame(7, 14, u(1, 42))),
    ("ok", frame(3, 15, b"")),
    ("kdf_params_request", frame(2, 20, b(1, "bob"))),
    ("kdf_params_response", frame(2, 21, msg(1, kdf(65536, 3, 1)))),
    ("register", frame(3, 22, b(1, "bob") + msg(2, kdf(65536, 3, 1)) + b(3, b"\x11" * 32) + b(4, "inv"))),
    ("login", frame(4, 23, b(1, "bob") + b(2, b"\x22" * 32) + u(3, 1))),
    ("login_ok", frame(4, 24, b(1, "bob") + u(2, 1) + msg(3, LIMITS) + u(4, 1))),
    ("change_password", frame(5, 25, b(1, b"\x11" * 32) + b(2, b"\x33" * 32) + msg(3, kdf(131072, 4, 2)))),
    ("logout", frame(6, 26, b"")),
    ("upload_pre_keys", frame(8, 40,
        u(1, 1) + b(2, b"\x01\x02")
        + msg(3, spk(1, b"\xb1\xb2", b"\xc1\xc2"))
        + msg(4, spk(2, b"\xb3", b"\xc3"))
        + msg(5, spk(3, b"\xb4", b"\xc4"))
        + msg(6, otpk(10, b"\xd1")) + msg(6, otpk(11, b"\xd2"))
        + msg(7, spk(20, b"\xe1", b"\xf1"))
        + u(8, 1))),
    ("fetch_pre_key_bundle", frame(9, 41, msg(1, BOB1))),
    ("pre_key_bundle", frame(9, 42,
        msg(1, BOB1) + b(2, b"\x01\x02")
        + msg(3, spk(1, b"\xb1\xb2", b"\xc1\xc2"))
        + msg(4, spk(2, b"\xb3", b"\xc3"))
        + msg(5, otpk(10, b"\xd1"))
        + msg(6, spk(3, b"\xb4", b"\xc4"))
        + u(7, 1))),
    ("pre_key_count_request", frame(10, 43, b"")),
    ("pre_key_count", frame(10, 44, u(1, 100) + u(2, 300))),
    ("pre_keys_low", frame(0, 45, u(1, 5) + u(2, 0))),
    ("send_message", frame(11, 60, msg(1, b(1, ID1) + msg(3, BOB1) + u(4, 2) + b(5, b"\xde\xad")))),
    ("stored", frame(11, 61, b(1, ID1) + u(2, 1) + u(3, 3))),
    ("message_push", frame(0, 62, msg(1,
        b(1, ID1) + msg(2, ALICE1) + msg(3, BOB1) + u(4, 1) + b(5, b"\xde\xad") + u(6, T)))),
    ("ack_messages", frame(12, 63, b(1, ID1) + b(1, ID2))),
    ("backlog_summary", frame(0, 64, msg(1, b(1, "alice") + u(2, 3)) + msg(1, b(1, "carol") + u(2, 1)))),
    ("backlog_done", frame(0, 65, b"")),
    ("list_users", frame(13, 80, b"")),
    ("user_list", frame(13, 81,
        msg(1, b(1, "alice") + u(2, 1) + u(3, 0)) + msg(1, b(1, "carol") + u(2, 4) + u(3, 1)))),
    ("set_presence", frame(14, 82, u(1, 2))),
    ("presence_push", frame(0, 83, b(1, "alice") + u(2, 3))),
    ("block", frame(15, 84, b(1, "carol"))),
    ("unblock", frame(16, 85, b(1, "carol"))),
    ("watch_presence", frame(17, 86, b(1, "alice") + b(1, "carol"))),
]


def content(body_field, body):
    """A Content (end-to-end plaintext, no length prefix): version 1, sent_at_ms T, one body."""
    return u(1, 1) + u(2, T) + msg(body_field, body)


CONTENTS = [
    ("content_text", content(10, b(1, "h\u00e9llo"))),  # e-acute is UTF-8 c3 a9
    ("content_text_empty", content(10, b"")),
    ("content_receipt", content(11, u(1, 2) + b(2, ID1) + b(2, ID2))),
    ("content_session_reset", content(12, b(1, "reset"))),
]

if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["content"]:
        print("# name hex: one Content message (no length prefix). Made by make_frames.py content.")
        for name, data in CONTENTS:
            print(name, data.hex())
    else:
        print("# name hex: u32 big-endian body length, then the Frame body. Made by make_frames.py;")
        print("# ping, ok, set_presence, block and error were also checked by hand (FrameGoldenTest).")
        for name, data in FRAMES:
            print(name, data.hex())
