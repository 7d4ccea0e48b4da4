#!/usr/bin/env python3
"""Round-trips HECore's JSON files through python-paillier (phe) for manual checks.

A development tool only (not run in CI, not a project dependency): `pip install phe`.

  phe_interop.py fixtures DIR            write a phe key pair and phe-made ciphertexts to DIR
  phe_interop.py encodings PUBLIC OUT    write phe's EncodedNumber encode/decode vectors to OUT
  phe_interop.py encrypt PUBLIC VALUE    print phe's ciphertext JSON of VALUE (int or float)
  phe_interop.py decrypt PRIVATE CT...   print phe's decryption of each ciphertext JSON file
  phe_interop.py dmctl-vectors DMCTL PUBLIC OUT
                                         encrypt and combine values with the dmctl binary and
                                         write {"expected", "ciphertext"} entries to OUT
  phe_interop.py check PRIVATE VECTORS   decrypt every {"expected", "ciphertext"} entry of a
                                         JSON list with phe and fail unless each matches
  phe_interop.py record PRIVATE VECTORS OUT
                                         like check, and write the entries plus phe's result to OUT
"""
import datetime
import json
import sys

import phe
from phe import util


def public_jwk(pub, kid):
    return {"kty": "DAJ", "alg": "PAI-GN1", "key_ops": ["encrypt"],
            "n": util.int_to_base64(pub.n), "kid": kid}


def private_jwk(priv, kid):
    return {"kty": "DAJ", "key_ops": ["decrypt"],
            "p": util.int_to_base64(priv.p), "q": util.int_to_base64(priv.q),
            "pub": public_jwk(priv.public_key, kid.replace("private", "public")), "kid": kid}


def load_public(path):
    with open(path) as f:
        data = json.load(f)
    data = data.get("pub", data)
    assert data["kty"] == "DAJ" and data["alg"] == "PAI-GN1", "not a pheutil public key"
    return phe.PaillierPublicKey(util.base64_to_int(data["n"]))


def load_private(path):
    with open(path) as f:
        data = json.load(f)
    assert data["kty"] == "DAJ" and "decrypt" in data["key_ops"], "not a pheutil private key"
    pub = phe.PaillierPublicKey(util.base64_to_int(data["pub"]["n"]))
    return phe.PaillierPrivateKey(pub, util.base64_to_int(data["p"]), util.base64_to_int(data["q"]))


def ciphertext_json(enc):
    return {"v": str(enc.ciphertext()), "e": enc.exponent}


def load_ciphertext(obj, pub):
    return phe.EncryptedNumber(pub, int(obj["v"]), exponent=obj["e"])


def parse_value(text):
    try:
        return int(text)
    except ValueError:
        return float(text)


def render(value):
    return str(value) if isinstance(value, int) else repr(value)


def fixtures(directory):
    pub, priv = phe.generate_paillier_keypair(n_length=1024)
    stamp = "phe %s fixture" % phe.__version__
    with open(directory + "/private.json", "w") as f:
        json.dump(private_jwk(priv, "Paillier private key, " + stamp), f)
        f.write("\n")
    with open(directory + "/public.json", "w") as f:
        json.dump(public_jwk(pub, "Paillier public key, " + stamp), f)
        f.write("\n")

    values = [0, 1, -1, 42, -123456789012345678901234567890, 2 ** 200, pub.max_int, -pub.max_int,
              0.0, 0.1, -0.1, 3.141592653589793, 1.5, -2.75, 1e-300, 5e-324, -2.5e-310,
              1.7976931348623157e308, 1e20, 123456.789]
    entries = []
    for v in values:
        enc = pub.encrypt(v)
        entries.append({"kind": type(v).__name__, "expected": render(v), "ciphertext": ciphertext_json(enc)})
    for v, precision in [(0.123456, 1e-3), (-7.25, 0.01), (1000, 1e3), (17, 16.0)]:
        enc = pub.encrypt(v, precision=precision)
        entries.append({"kind": "precision", "precision": precision, "expected": render(priv.decrypt(enc)),
                        "exponent": enc.exponent, "ciphertext": ciphertext_json(enc)})
    # Homomorphic results computed by phe.
    a, b = pub.encrypt(2.5), pub.encrypt(-4)
    ops = [("2.5 + -4", a + b), ("2.5 * -3.5", a * -3.5), ("-4 * 3", b * 3), ("2.5 + 10", a + 10),
           ("2.5 - -4", a - b)]
    for label, enc in ops:
        entries.append({"kind": "operation", "operation": label, "expected": render(priv.decrypt(enc)),
                        "ciphertext": ciphertext_json(enc)})
    with open(directory + "/phe_ciphertexts.json", "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")

    # raw_encrypt with a fixed r: c = (1 + n m) r^n mod n^2.
    vectors = []
    for m, r in [(0, 2), (1, 3), (42, 123456789), (pub.n - 1, pub.n - 2), (2 ** 512 + 7, 2 ** 300 + 1)]:
        vectors.append({"m": str(m), "r": str(r), "c": str(pub.raw_encrypt(m, r_value=r))})
    with open(directory + "/fixed_r.json", "w") as f:
        json.dump(vectors, f, indent=1)
        f.write("\n")


def encodings(public_path, out_path):
    """phe's EncodedNumber.encode and decode on fixed inputs, for the encoding tests."""
    import random
    from phe.encoding import EncodedNumber
    pub = load_public(public_path)
    encode_cases = []
    inputs = [(0, None, None), (7, None, None), (-7, None, None), (0.0, None, None), (0.1, None, None),
              (-0.1, None, None), (1.0, None, None), (3.0, None, None), (0.5, None, None),
              (5e-324, None, None), (2.2250738585072014e-308, None, None), (1e308, None, None),
              (-123456.789, None, None), (0.1, 1e-3, None), (0.1, 1e-10, None), (2.5, 1.0, None),
              (3.5, 1.0, None), (-2.5, 1.0, None), (12345, 100.0, None), (0.1, None, -20),
              (0.1, None, 3), (100, None, -2), (0.3, 0.0625, None), (1.0, 16.0 ** -4, None)]
    for value, precision, max_exponent in inputs:
        e = EncodedNumber.encode(pub, value, precision=precision, max_exponent=max_exponent)
        encode_cases.append({"value": render(value), "kind": type(value).__name__, "precision": precision,
                             "max_exponent": max_exponent, "encoding": str(e.encoding), "exponent": e.exponent})
    rng = random.Random(4)
    decode_cases = []
    for _ in range(60):
        bits = rng.choice([1, 10, 52, 53, 54, 60, 100, 300, 1000])
        mantissa = rng.getrandbits(bits) * rng.choice([1, -1])
        exponent = rng.choice([-1, -3, -14, -20, -100, -255, -268, -280, -300])
        encoded = EncodedNumber(pub, mantissa % pub.n, exponent)
        try:
            decoded = render(encoded.decode())
        except OverflowError:
            decoded = "overflow"
        decode_cases.append({"encoding": str(mantissa % pub.n), "exponent": exponent, "decoded": decoded})
    # Exact ties: mantissa with a half bit beyond 53 bits.
    for mantissa in [2 ** 53 + 1, 2 ** 53 + 3, -(2 ** 54 + 2), 2 ** 60 + 2 ** 7, 3 * 2 ** 1072]:
        for exponent in [-1, -3, -260, -268, -270]:
            encoded = EncodedNumber(pub, mantissa % pub.n, exponent)
            try:
                decoded = render(encoded.decode())
            except OverflowError:
                decoded = "overflow"
            decode_cases.append({"encoding": str(mantissa % pub.n), "exponent": exponent, "decoded": decoded})
    with open(out_path, "w") as f:
        json.dump({"encode": encode_cases, "decode": decode_cases}, f, indent=1)
        f.write("\n")


def dmctl_vectors(dmctl, public_path, out_path):
    """Ciphertexts made by HECore through `dmctl he`, with the value each should decrypt to."""
    import os
    import subprocess
    import tempfile

    def run(*args):
        return subprocess.run([dmctl, "he"] + list(args), check=True, capture_output=True, text=True).stdout

    entries = []
    with tempfile.TemporaryDirectory() as tmp:
        def encrypt(value, fast=False):
            out = run("encrypt", "--key", public_path, *(["--fast"] if fast else []), "--", value)
            path = os.path.join(tmp, "c%d.json" % len(os.listdir(tmp)))
            with open(path, "w") as f:
                f.write(out)
            return path, json.loads(out)
        for value, expected, fast in [("0", "0", False), ("1", "1", False), ("-1", "-1", False),
                                      ("123456789012345678901234567890", "123456789012345678901234567890", False),
                                      ("-98765432109876543210", "-98765432109876543210", True),
                                      ("0.1", "0.1", False), ("-0.1", "-0.1", True), ("2.5", "2.5", False),
                                      ("1e-300", "1e-300", False), ("5e-324", "5e-324", False),
                                      ("-123456.789", "-123456.789", True)]:
            entries.append({"kind": "fast" if fast else "standard", "expected": expected,
                            "ciphertext": encrypt(value, fast)[1]})
        a, _ = encrypt("2.5")
        b, _ = encrypt("-4", fast=True)
        for label, args, expected in [("2.5 + -4", ["add", "--key", public_path, a, b], "-1.5"),
                                      ("2.5 + 10", ["add", "--key", public_path, a, "--value", "10"], "12.5"),
                                      ("2.5 * -3", ["mul", "--key", public_path, a, "--", "-3"], "-7.5"),
                                      ("2*2.5 + 0.5*-4", ["dot", "--key", public_path, "--weights", "2,0.5", a, b], "3.0")]:
            entries.append({"kind": "operation", "operation": label, "expected": expected,
                            "ciphertext": json.loads(run(*args))})
    with open(out_path, "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")


def check(private_path, vectors_path, out_path=None):
    priv = load_private(private_path)
    with open(vectors_path) as f:
        entries = json.load(f)
    failures = 0
    for entry in entries:
        got = priv.decrypt(load_ciphertext(entry["ciphertext"], priv.public_key))
        expected = parse_value(entry["expected"])
        ok = got == expected and type(got) is type(expected)
        entry["phe_decrypted"] = render(got)
        if not ok:
            failures += 1
            print("MISMATCH expected %s, phe decrypted %s" % (entry["expected"], render(got)))
    print("%d of %d ciphertexts decrypt by phe %s to the expected value"
          % (len(entries) - failures, len(entries), phe.__version__))
    if out_path:
        with open(out_path, "w") as f:
            json.dump(entries, f, indent=1)
            f.write("\n")
    return 1 if failures else 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "fixtures":
        fixtures(argv[1])
    elif len(argv) == 3 and argv[0] == "encodings":
        encodings(argv[1], argv[2])
    elif len(argv) == 3 and argv[0] == "encrypt":
        print(json.dumps(ciphertext_json(load_public(argv[1]).encrypt(parse_value(argv[2])))))
    elif len(argv) >= 3 and argv[0] == "decrypt":
        priv = load_private(argv[1])
        for path in argv[2:]:
            with open(path) as f:
                print(render(priv.decrypt(load_ciphertext(json.load(f), priv.public_key))))
    elif len(argv) == 4 and argv[0] == "dmctl-vectors":
        dmctl_vectors(argv[1], argv[2], argv[3])
    elif len(argv) == 3 and argv[0] == "check":
        return check(argv[1], argv[2])
    elif len(argv) == 4 and argv[0] == "record":
        return check(argv[1], argv[2], argv[3])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
