#!/usr/bin/env python3
"""Known-answer vectors for dev.sotto.keystore.account.AccountKeys, made independently of the Java
code with pyca/cryptography (OpenSSL's Argon2id and HKDF). Run: python3 make_account_vectors.py >
account_keys.txt  (needs `pip install cryptography>=44`).

Each vector is a block of `name = value` lines ended by a blank line; bytes are lower-case hex,
strings are given as hex of their UTF-8 so that every byte is explicit."""
import hashlib

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def derive(password, server_id, username, m, t, p):
    salt = hashlib.sha256(b"Sotto_Account_v1" + server_id + username.encode("utf-8")).digest()
    master = Argon2id(salt=salt, length=32, iterations=t, lanes=p, memory_cost=m).derive(
        password.encode("utf-8"))
    auth = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"Sotto_Auth_v1").derive(master)
    store = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"Sotto_Store_v1").derive(master)
    return salt, master, auth, store


CASES = [
    ("correct horse battery", bytes(range(16)), "alice", 256, 2, 1),
    ("correct horse battery", bytes(range(16)), "bob", 256, 2, 1),
    ("pässwörd-ünïcödé-✓", bytes([0xA5] * 16), "carol.d-1_x", 1024, 1, 2),
    ("0123456789", bytes([0xFF] * 16), "dave", 65536, 3, 1),  # the default cost
]

for password, server_id, username, m, t, p in CASES:
    salt, master, auth, store = derive(password, server_id, username, m, t, p)
    print("password =", password.encode("utf-8").hex())
    print("server_id =", server_id.hex())
    print("username =", username.encode("utf-8").hex())
    print("memory_kib =", m)
    print("iterations =", t)
    print("parallelism =", p)
    print("salt =", salt.hex())
    print("master =", master.hex())
    print("auth_key =", auth.hex())
    print("store_key =", store.hex())
    print()
