#!/usr/bin/env python3
"""Regenerates the EIP-712 fixtures with eth-account (the reference implementation wallets' Python
users sign with). Tests read the committed output; they never run Python.

A development tool only: `pip install 'eth-account==0.14.*'` (made with eth-account 0.14.0).

  make-eip712-fixtures.py vectors OUT
      general EIP-712 vectors: the spec's Mail/Person example and a type set with nested
      structs, arrays, bytes, bytesN, bool, intN and uintN, each with eth-account's domain
      separator, struct hash, digest and a signature by a fixed key.
      -> Tests/LedgerCoreTests/Fixtures/eip712-vectors.json

  make-eip712-fixtures.py login OUT
      the datatrust's EIP-712 login typed data for a fixed challenge, signed by a fixed key.
      -> Tests/DatatrustKitTests/Fixtures/eip712-login.json

  make-eip712-fixtures.py transactions DMCTL OUT
      drives the built dmctl binary through a market round in a fresh state folder: for every
      call it runs `dmctl tx build <command>`, wraps the typed data in a JSON-RPC
      eth_signTypedData_v4 request, signs it with eth-account's sign_typed_data(full_message=...),
      and submits it with `dmctl tx submit`; records request, hashes and signature in order.
      -> Tests/dmctlTests/Fixtures/eip712-transactions.json
"""
import json
import os
import subprocess
import sys
import tempfile

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

# Anvil/Hardhat development keys 0-2: public test keys, never to hold value.
KEYS = {
    "alice": "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "bob": "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "carol": "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
}


def hashes(typed):
    signable = encode_typed_data(full_message=typed)
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    return {"domainSeparator": "0x" + signable.header.hex(), "messageHash": "0x" + signable.body.hex(),
            "digest": "0x" + digest.hex()}


def vector(name, typed, key):
    signed = Account.sign_typed_data(key, full_message=typed)
    out = {"name": name, "typedData": typed, "signer": Account.from_key(key).address,
           "signature": "0x" + signed.signature.hex()}
    out.update(hashes(typed))
    assert out["digest"] == "0x" + signed.message_hash.hex()
    return out


def vectors(path):
    mail = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
            "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
            "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"}, {"name": "contents", "type": "string"}],
        },
        "primaryType": "Mail",
        "domain": {"name": "Ether Mail", "version": "1", "chainId": 1,
                   "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
        "message": {"from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                    "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
                    "contents": "Hello, Bob!"},
    }
    rich = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}, {"name": "salt", "type": "bytes32"}],
            "Order": [{"name": "maker", "type": "Party"}, {"name": "takers", "type": "Party[]"},
                      {"name": "amounts", "type": "uint256[2]"}, {"name": "delta", "type": "int64"},
                      {"name": "floor", "type": "int256"}, {"name": "small", "type": "uint8"},
                      {"name": "open", "type": "bool"}, {"name": "blob", "type": "bytes"},
                      {"name": "tag", "type": "bytes4"}, {"name": "notes", "type": "string[]"}],
            "Party": [{"name": "wallet", "type": "address"}, {"name": "label", "type": "string"},
                      {"name": "proof", "type": "Proof"}],
            "Proof": [{"name": "root", "type": "bytes32"}, {"name": "depth", "type": "uint16"}],
        },
        "primaryType": "Order",
        "domain": {"name": "Vectors", "version": "2", "chainId": "0x539",
                   "salt": "0x" + keccak(text="salt").hex()},
        "message": {
            "maker": {"wallet": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "label": "maker ✓",
                      "proof": {"root": "0x" + keccak(text="root").hex(), "depth": 7}},
            "takers": [
                {"wallet": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "label": "",
                 "proof": {"root": "0x" + "00" * 32, "depth": 0}},
                {"wallet": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "label": "second",
                 "proof": {"root": "0x" + "ff" * 32, "depth": 65535}},
            ],
            "amounts": ["115792089237316195423570985008687907853269984665640564039457584007913129639935", 5],
            "delta": -42, "floor": "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
            "small": 255, "open": True, "blob": "0x00ff10", "tag": "0xdeadbeef", "notes": ["a", "", "Ünïcode"],
        },
    }
    # A DataMarket transaction envelope (LedgerCore TransactionTypedData) written by hand here,
    # so the library's builder is checked against an independent spelling of it.
    alice = Account.from_key(KEYS["alice"]).address
    bob = Account.from_key(KEYS["bob"]).address
    transaction = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"}],
            "Transaction": [{"name": "from", "type": "address"}, {"name": "module", "type": "string"},
                            {"name": "call", "type": "string"}, {"name": "nonce", "type": "uint256"},
                            {"name": "chainId", "type": "uint256"}],
        },
        "primaryType": "Transaction",
        "domain": {"name": "DataMarket", "version": "1", "chainId": 7},
        "message": {"from": alice, "module": "ledger",
                    "call": json.dumps({"transfer": {"amount": "5", "to": bob, "token": "DMT"}}, separators=(",", ":"), sort_keys=True),
                    "nonce": 0, "chainId": 7},
    }
    out = [vector("mail", mail, keccak(text="cow")), vector("rich", rich, KEYS["bob"]),
           vector("transaction", transaction, KEYS["alice"])]
    with open(path, "w") as f:
        json.dump({"generator": "scripts/make-eip712-fixtures.py vectors (eth-account 0.14.0)", "vectors": out},
                  f, indent=2, ensure_ascii=False)
        f.write("\n")


# The genesis of the recorded chain (a copy of Examples/genesis.json's shape: alice mints DMT).
GENESIS = {
    "chainID": 1337, "timestamp": 1732200000,
    "tokens": [
        {"symbol": "DMT", "name": "DataMarket Token", "decimals": 18,
         "minter": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
         "balances": [{"account": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "amount": "1000000000000000000000000"},
                      {"account": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "amount": "250000000000000000000"},
                      {"account": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "amount": "250000000000000000000"}]},
    ],
}

# Far-future stream times, so the recording stays valid whenever the tests replay it.
STREAM_START, STREAM_END = "4102444800", "4105036800"
HASH_A = "0x" + "ab" * 32
HASH_B = "0x" + keccak(text="model weights").hex()

# (signer, dmctl command) in order; None as signer: a plain dmctl command run between the
# signed ones (time passing). Chosen to cover each module's calls a person signs.
STEPS = [
    ("alice", ["token", "transfer", "--token", "DMT", "--to", "carol", "--amount", "100"]),
    ("alice", ["token", "create", "--symbol", "DATA", "--name", "Data Credits", "--decimals", "6"]),
    ("alice", ["token", "mint", "--token", "DATA", "--to", "bob", "--amount", "12.5"]),
    ("bob", ["token", "approve", "--token", "DATA", "--spender", "carol", "--amount", "5"]),
    ("carol", ["token", "transfer-from", "--token", "DATA", "--from", "bob", "--to", "carol", "--amount", "3"]),
    ("alice", ["token", "burn", "--token", "DMT", "--amount", "1"]),
    ("bob", ["nft", "mint", "--class", "data", "--content-hash", HASH_A, "--meta", "name=cancer ✓"]),
    ("bob", ["nft", "approve", "1", "--spender", "carol"]),
    ("carol", ["nft", "transfer", "1", "--to", "carol"]),
    ("alice", ["stream", "open", "--to", "bob", "--token", "DMT", "--amount", "10", "--start", STREAM_START, "--end", STREAM_END]),
    ("alice", ["stream", "cancel", "1"]),
    ("alice", ["market", "create", "cancer", "--network-token", "DMT", "--set", "voteBy=60", "--set", "councilThreshold=0"]),
    ("alice", ["market", "invest", "cancer", "10"]),
    ("alice", ["market", "backend", "propose", "cancer", "--url", "https://dt.example", "--address",
               Account.from_key(KEYS["carol"]).address]),
    ("alice", ["market", "vote", "cancer", "1", "yea"]),
    (None, ["chain", "warp", "61"]),
    ("bob", ["market", "resolve", "cancer", "1"]),
    ("bob", ["data", "mint", "--data-hash", HASH_A, "--name", "biopsies", "--tag", "tabular"]),
    ("bob", ["data", "disclose", "2", "--abstract", "100 biopsies", "--tag", "tabular"]),
    ("bob", ["model", "mint", "--model-hash", HASH_B, "--data", "2", "--token", "DMT", "--price", "0.5", "--name", "lr"]),
    ("bob", ["model", "price", "3", "--price", "0.75"]),
    ("carol", ["model", "use", "3", "--max-price", "1"]),
    ("carol", ["pool", "create", "--token", "DMT", "--market", "cancer", "--data-rate", "0.000001", "--duration", "315360000", "--funding", "1"]),
    ("alice", ["bounty", "create", "--token", "DMT", "--reward", "1000", "--stake", "100", "--raw", "--deadline-in", "315360000",
               "--classes", "2", "--dir", "@bounty"]),
    ("alice", ["bounty", "cancel", "--bounty", "1"]),
]


def run(dmctl, home, args, stdin=None):
    env = dict(os.environ, DMCTL_PASSPHRASE="eip712 fixtures", DMCTL_HOME=home)
    r = subprocess.run([dmctl] + args, input=stdin, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"dmctl {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return r.stdout


def transactions(dmctl, path):
    home = tempfile.mkdtemp(prefix="eip712-")
    bounty = os.path.join(home, "bounty")
    os.makedirs(bounty)
    files = {"train.csv": "x,y\n1,0\n2,1\n", "test-features.csv": "x\n3\n4\n", "truth.json": '{"values": [0, 1]}'}
    for name, text in files.items():
        with open(os.path.join(bounty, name), "w") as f:
            f.write(text)
    for name, key in KEYS.items():
        run(dmctl, home, ["key", "import", "--name", name], stdin=key)
    genesis = os.path.join(home, "genesis.json")
    with open(genesis, "w") as f:
        json.dump(GENESIS, f)
    run(dmctl, home, ["chain", "init", "--genesis", genesis])
    steps = []
    for signer, args in STEPS:
        args = [a.replace("@bounty", bounty) for a in args]
        if signer is None:
            run(dmctl, home, args)
            steps.append({"run": args})
            continue
        sender = Account.from_key(KEYS[signer]).address
        request = json.loads(run(dmctl, home, ["tx", "build", "--rpc", "--from", sender] + args))
        assert request["method"] == "eth_signTypedData_v4" and request["params"][0] == sender
        typed = json.loads(request["params"][1])
        signed = Account.sign_typed_data(KEYS[signer], full_message=typed)
        signature = "0x" + signed.signature.hex()
        request_file = os.path.join(home, "request.json")
        with open(request_file, "w") as f:
            json.dump(request, f)
        run(dmctl, home, ["tx", "submit", "--typed-data", request_file, "--signature", signature])
        step = {"signer": signer, "command": [a.replace(bounty, "@bounty") for a in args], "request": request,
                "signature": signature}
        if args[:2] in (["pool", "create"], ["bounty", "create"]):
            step["callVaries"] = True  # the call holds the clock's time (and a fresh salt)
        step.update(hashes(typed))
        steps.append(step)
    modules = sorted({json.loads(s["request"]["params"][1])["message"]["module"] for s in steps if "request" in s})
    with open(path, "w") as f:
        json.dump({"generator": "scripts/make-eip712-fixtures.py transactions (eth-account 0.14.0)",
                   "keys": KEYS, "genesis": GENESIS, "bountyFiles": files, "modules": modules, "steps": steps},
                  f, indent=2, ensure_ascii=False)
        f.write("\n")


def login(path):
    # The datatrust's EIP-712 login (DatatrustKit Datatrust.loginTypedData), for a fixed challenge.
    typed = {
        "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"}],
                  "Login": [{"name": "datatrust", "type": "string"}, {"name": "nonce", "type": "bytes32"},
                            {"name": "expires", "type": "uint256"}]},
        "primaryType": "Login",
        "domain": {"name": "DataMarket datatrust", "version": "1"},
        "message": {"datatrust": "datatrust-test", "nonce": "0x" + keccak(text="login nonce").hex(), "expires": 1900000000},
    }
    out = vector("login", typed, KEYS["carol"])
    with open(path, "w") as f:
        json.dump({"generator": "scripts/make-eip712-fixtures.py login (eth-account 0.14.0)", "login": out}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "vectors":
        vectors(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "login":
        login(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "transactions":
        transactions(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
