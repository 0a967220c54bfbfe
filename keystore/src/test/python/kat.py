#!/usr/bin/env python3
"""Independent implementation of Sotto's end-to-end derivations (PROTOCOL.md, "End-to-end encryption").

Writes keystore/src/test/resources/vectors/kat.json. Uses only the Python `cryptography` package
(Debian's python3-cryptography; ML-KEM needs cryptography >= 47). Every private input is fixed:
priv(label) = SHA-256("sotto-kat:" || label). ML-KEM encapsulation is randomised in `cryptography`, so the
ML-KEM ciphertext (and what depends on it) changes each time the script runs; every other value is stable.
Without ML-KEM support the script writes the shared secret as a fixed input and omits the ML-KEM and
PreKeyMessage vectors.

Run from the repository root:  python3 keystore/src/test/python/kat.py
"""

import hashlib
import hmac
import json
import os
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

try:
    from cryptography.hazmat.primitives.asymmetric import mlkem
except ImportError:  # Debian bookworm's cryptography 38
    mlkem = None

RAW = serialization.Encoding.Raw
RAW_PUB = serialization.PublicFormat.Raw
VERSION = 0x01
PQXDH_INFO = b"Sotto_X25519_SHA-256_ML-KEM-768_v1"
RATCHET_INFO = b"Sotto_Ratchet_v1"
MESSAGE_INFO = b"Sotto_Message_v1"
CTX_IDENTITY = b"Sotto_IdentityKey_v1"
CTX_SPK = b"Sotto_SignedPreKey_v1"
CTX_KEM = b"Sotto_KemPreKey_v1"
BUCKET = 160


def priv(label, n=32):
    out = b""
    counter = 0
    while len(out) < n:
        suffix = b"" if counter == 0 else b"#" + str(counter).encode()
        out += hashlib.sha256(b"sotto-kat:" + label.encode() + suffix).digest()
        counter += 1
    return out[:n]


def x_pub(sk):
    return X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes(RAW, RAW_PUB)


def ed_pub(sk):
    return Ed25519PrivateKey.from_private_bytes(sk).public_key().public_bytes(RAW, RAW_PUB)


def dh(sk, pk):
    out = X25519PrivateKey.from_private_bytes(sk).exchange(X25519PublicKey.from_public_bytes(pk))
    assert out != bytes(32)
    return out


def sign(ed_sk, context, data):
    return Ed25519PrivateKey.from_private_bytes(ed_sk).sign(context + b"\x00" + data)


def hkdf(salt, ikm, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def u32(x):
    return struct.pack(">I", x)


def identity(name):
    ed = priv(name + ".ik_sig")
    xk = priv(name + ".ik_dh")
    sig = sign(ed, CTX_IDENTITY, x_pub(xk))
    return {"ed": ed, "x": xk, "public": ed_pub(ed) + x_pub(xk) + sig}


def kdf_rk(rk, dh_out):
    okm = hkdf(rk, dh_out, RATCHET_INFO, 64)
    return okm[:32], okm[32:]


def kdf_ck(ck):
    return hmac.new(ck, b"\x01", hashlib.sha256).digest(), hmac.new(ck, b"\x02", hashlib.sha256).digest()


def message_keys(mk):
    okm = hkdf(bytes(32), mk, MESSAGE_INFO, 44)
    return okm[:32], okm[32:]


def pad(pt):
    padded_len = BUCKET * (len(pt) // BUCKET + 1)
    return pt + b"\x80" + bytes(padded_len - len(pt) - 1)


def header(ratchet_pub, pn, n):
    return bytes([VERSION]) + ratchet_pub + u32(pn) + u32(n)


def ratchet_message(mk, ad, ratchet_pub, pn, n, plaintext):
    h = header(ratchet_pub, pn, n)
    key, nonce = message_keys(mk)
    return h + AESGCM(key).encrypt(nonce, pad(plaintext), ad + h)


def fingerprint_digits(username, ident):
    key_bytes = ident["public"][:64]
    h = b"\x00\x00" + key_bytes + username.encode("ascii")
    for _ in range(5200):
        h = hashlib.sha512(h + key_bytes).digest()
    return "".join("%05d" % (int.from_bytes(h[i : i + 5], "big") % 100000) for i in range(0, 30, 5))


def hexs(b):
    return b.hex()


def main():
    out = {"comment": "Written by keystore/src/test/python/kat.py; see PROTOCOL.md, End-to-end encryption."}
    alice = identity("alice")
    bob = identity("bob")

    # Signatures (Ed25519 is deterministic).
    spk = priv("bob.spk")
    spk_id = 0x01020304
    opk = priv("bob.opk")
    opk_id = 0x0A0B0C0D
    pqpk_id = 0x11223344
    pq_seed = priv("bob.pqpk", 64)
    if mlkem is not None:
        pq_sk = mlkem.MLKEM768PrivateKey.from_seed_bytes(pq_seed)
        pq_ek = pq_sk.public_key().public_bytes_raw()
    else:
        pq_sk = None
        pq_ek = priv("bob.pqpk.fake-ek", 1184)
    out["signatures"] = {
        "identity_ed25519_private": hexs(alice["ed"]),
        "identity_x25519_private": hexs(alice["x"]),
        "identity_key": hexs(alice["public"]),
        "bob_identity_ed25519_private": hexs(bob["ed"]),
        "bob_identity_x25519_private": hexs(bob["x"]),
        "bob_identity_key": hexs(bob["public"]),
        "signed_prekey_id": spk_id,
        "signed_prekey_private": hexs(spk),
        "signed_prekey_public": hexs(x_pub(spk)),
        "signed_prekey_signature": hexs(sign(bob["ed"], CTX_SPK, u32(spk_id) + x_pub(spk))),
        "kem_prekey_id": pqpk_id,
        "kem_prekey_seed": hexs(pq_seed),
        "kem_prekey_public": hexs(pq_ek),
        "kem_prekey_signature": hexs(sign(bob["ed"], CTX_KEM, u32(pqpk_id) + pq_ek)),
    }

    # ML-KEM-768 decapsulation of a ciphertext made here.
    if pq_sk is not None:
        ss, ct = pq_sk.public_key().encapsulate()  # returns (shared secret, ciphertext)
        assert pq_sk.decapsulate(ct) == ss
        out["mlkem768"] = {"seed": hexs(pq_seed), "ek": hexs(pq_ek), "ciphertext": hexs(ct), "shared_secret": hexs(ss)}
    else:
        ct, ss = priv("bob.pqpk.fake-ct", 1088), priv("kem-shared-secret")

    # PQXDH key agreement (initiator alice, responder bob).
    ek = priv("alice.ek")
    dhs = [dh(alice["x"], x_pub(spk)), dh(ek, bob["public"][32:64]), dh(ek, x_pub(spk)), dh(ek, x_pub(opk))]
    sk = hkdf(bytes(32), b"\xff" * 32 + b"".join(dhs) + ss, PQXDH_INFO, 32)
    sk_no_opk = hkdf(bytes(32), b"\xff" * 32 + b"".join(dhs[:3]) + ss, PQXDH_INFO, 32)
    ad = alice["public"][:64] + bob["public"][:64] + bytes([VERSION])
    out["pqxdh"] = {
        "ephemeral_private": hexs(ek),
        "ephemeral_public": hexs(x_pub(ek)),
        "one_time_prekey_id": opk_id,
        "one_time_prekey_private": hexs(opk),
        "one_time_prekey_public": hexs(x_pub(opk)),
        "kem_ciphertext": hexs(ct),
        "kem_shared_secret": hexs(ss),
        "dh1": hexs(dhs[0]),
        "dh2": hexs(dhs[1]),
        "dh3": hexs(dhs[2]),
        "dh4": hexs(dhs[3]),
        "sk": hexs(sk),
        "sk_without_one_time_prekey": hexs(sk_no_opk),
        "associated_data": hexs(ad),
        "replay_id": hexs(hashlib.sha256(x_pub(ek) + ct).digest()),
    }

    # KDF_RK with a DH output between two fixed ratchet keys.
    rk = priv("rk")
    r1, r2 = priv("ratchet.a"), priv("ratchet.b")
    dh_out = dh(r1, x_pub(r2))
    new_rk, ck = kdf_rk(rk, dh_out)
    out["kdf_rk"] = {
        "root_key": hexs(rk),
        "our_private": hexs(r1),
        "their_public": hexs(x_pub(r2)),
        "dh_output": hexs(dh_out),
        "new_root_key": hexs(new_rk),
        "chain_key": hexs(ck),
    }

    # KDF_CK, three steps along a chain.
    ck0 = priv("ck")
    steps = []
    c = ck0
    for _ in range(3):
        mk, c = kdf_ck(c)
        steps.append({"message_key": hexs(mk), "next_chain_key": hexs(c)})
    out["kdf_ck"] = {"chain_key": hexs(ck0), "steps": steps}

    # Message key -> AES key and nonce.
    mk = priv("mk")
    key, nonce = message_keys(mk)
    out["message_keys"] = {"message_key": hexs(mk), "aes_key": hexs(key), "nonce": hexs(nonce)}

    # One full RatchetMessage.
    plaintext = "Hello, Sotto! \u00e7a va?".encode("utf-8")
    rpub = x_pub(priv("ratchet.msg"))
    msg = ratchet_message(mk, ad, rpub, 7, 42, plaintext)
    out["ratchet_message"] = {
        "message_key": hexs(mk),
        "associated_data": hexs(ad),
        "ratchet_public": hexs(rpub),
        "previous_chain_length": 7,
        "message_number": 42,
        "plaintext": hexs(plaintext),
        "header": hexs(header(rpub, 7, 42)),
        "message": hexs(msg),
    }

    # Padding buckets.
    out["padding"] = []
    for n in (0, 1, 159, 160, 161, 319, 320):
        pt = priv("pad%d" % n, n) if n else b""
        out["padding"].append({"plaintext": hexs(pt), "padded": hexs(pad(pt))})

    # A full PreKeyMessage from alice to bob (needs ML-KEM): Double Ratchet initialisation
    # RatchetInitAlice(SK, SPK_B): DHs = fixed ratchet key, (RK, CKs) = KDF_RK(SK, DH(DHs, SPK_B)).
    if pq_sk is not None:
        a_ratchet = priv("alice.ratchet0")
        rk1, cks = kdf_rk(sk, dh(a_ratchet, x_pub(spk)))
        mk0, _ = kdf_ck(cks)
        first_plain = b"first message"
        inner = ratchet_message(mk0, ad, x_pub(a_ratchet), 0, 0, first_plain)
        pkm = (bytes([0x02]) + alice["public"] + u32(spk_id) + u32(opk_id) + u32(pqpk_id) + x_pub(ek) + ct + inner)
        out["prekey_message"] = {
            "alice_ratchet_private": hexs(a_ratchet),
            "root_key_after_first_step": hexs(rk1),
            "sending_chain_key": hexs(cks),
            "plaintext": hexs(first_plain),
            "message": hexs(pkm),
        }

    # Safety number.
    a_digits = fingerprint_digits("alice", alice)
    b_digits = fingerprint_digits("bob", bob)
    combined = a_digits + b_digits if a_digits <= b_digits else b_digits + a_digits
    out["safety_number"] = {
        "alice_username": "alice",
        "alice_identity_key": hexs(alice["public"]),
        "bob_username": "bob",
        "bob_identity_key": hexs(bob["public"]),
        "alice_digits": a_digits,
        "bob_digits": b_digits,
        "safety_number": combined,
        "display": " ".join(combined[i : i + 5] for i in range(0, 60, 5)),
    }

    path = os.path.join(os.path.dirname(__file__), "..", "resources", "vectors", "kat.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.normpath(path), "(ML-KEM vectors:", "yes" if pq_sk is not None else "no", ")")


if __name__ == "__main__":
    main()
