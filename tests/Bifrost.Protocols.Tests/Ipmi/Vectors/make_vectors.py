#!/usr/bin/env python3
"""Known-answer vectors for RMCP+ cipher suites 17 (HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128) and 3 (HMAC-SHA1,
HMAC-SHA1-96, AES-CBC-128), computed from the formulas of IPMI v2.0 §13.28-13.32 with Python's hmac/hashlib and
`openssl enc` for AES — independently of Bifrost's C# code. Run: python3 make_vectors.py > vectors.json
(no BMC here speaks suite 17, so these vectors are the only check of it)."""
import hashlib, hmac, json, struct, subprocess

def h(b): return b.hex()

def aes_cbc(key16, iv, data):
    out = subprocess.run(["openssl", "enc", "-aes-128-cbc", "-nopad", "-K", key16.hex(), "-iv", iv.hex()],
                         input=data, capture_output=True, check=True)
    return out.stdout

def vectors(suite, digest, icv_len):
    mac = lambda key, data: hmac.new(key, data, digest).digest()
    password = b"password"
    kuid = password.ljust(20, b"\0")                   # Kuid: 20 bytes, zero padded, for every algorithm
    user = b"admin"
    role = 0x14                                         # ADMINISTRATOR | name-only lookup
    sid_m, sid_c = 0x0A0B0C0D, 0x01020304               # console's and BMC's session IDs
    rm, rc, guid = bytes(range(0, 16)), bytes(range(16, 32)), bytes(range(32, 48))
    le = lambda v: struct.pack("<I", v)
    rakp2 = mac(kuid, le(sid_m) + le(sid_c) + rm + rc + guid + bytes([role, len(user)]) + user)
    rakp3 = mac(kuid, rc + le(sid_m) + bytes([role, len(user)]) + user)
    sik = mac(kuid, rm + rc + bytes([role, len(user)]) + user)
    k1 = mac(sik, b"\x01" * 20)                         # the constants are 20 bytes even for SHA256
    k2 = mac(sik, b"\x02" * 20)
    rakp4 = mac(sik, rm + le(sid_c) + guid)[:icv_len]

    # Get Chassis Status (netFn 0 cmd 1) as an IPMI LAN request, rqSeq 5.
    def cks(b): return (-sum(b)) & 0xFF
    hdr = bytes([0x20, 0x00 << 2]); hdr += bytes([cks(hdr)])
    body = bytes([0x81, 5 << 2, 0x01]); body += bytes([cks(body)])
    ipmi = hdr + body
    # AES-CBC-128 (§13.29): pad 1,2,3,… then the pad length, to a multiple of 16.
    pad_len = (16 - (len(ipmi) + 1) % 16) % 16
    plain = ipmi + bytes(range(1, pad_len + 1)) + bytes([pad_len])
    iv = bytes(range(0xA0, 0xB0))
    payload = iv + aes_cbc(k2[:16], iv, plain)
    # RMCP+ session header: auth type 6, payload type 0xC0 (encrypted|authenticated|IPMI), SIDc, sequence 7, length.
    session = bytes([0x06, 0xC0]) + le(sid_c) + le(7) + struct.pack("<H", len(payload)) + payload
    integ_pad = (4 - (len(session) + 2) % 4) % 4
    session += b"\xff" * integ_pad + bytes([integ_pad, 0x07])
    authcode = mac(k1, session)[:icv_len]
    datagram = bytes([0x06, 0x00, 0xFF, 0x07]) + session + authcode
    return {
        "suite": suite, "password": password.decode(), "username": user.decode(), "role": role,
        "console_session_id": sid_m, "bmc_session_id": sid_c, "console_random": h(rm), "bmc_random": h(rc),
        "bmc_guid": h(guid), "rakp2_code": h(rakp2), "rakp3_code": h(rakp3), "sik": h(sik), "k1": h(k1), "k2": h(k2),
        "rakp4_icv": h(rakp4), "ipmi_request": h(ipmi), "iv": h(iv), "sequence": 7, "datagram": h(datagram),
    }

print(json.dumps([vectors(17, hashlib.sha256, 16), vectors(3, hashlib.sha1, 12)], indent=2))
