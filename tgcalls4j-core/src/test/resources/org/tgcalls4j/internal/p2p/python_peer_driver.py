# Test driver (ours): runs the signaling half of the independent Python peer
# (shared/peers/p2p/p2p_peer.py Peer.on_message / send_offer_if_needed / answer, tgp2p builders and
# parser) without its media objects, over a line protocol on stdin/stdout:
#   argv: PEER_DIR ROLE(caller|callee) OFFER_AFTER_SETUP(0|1)
#   out at start: the peer's first messages, then "END"
#   in: one JSON message per line; out: the peer's replies, then "END"
#   at EOF: one line "STATE <json>" with what the peer negotiated
import asyncio
import json
import sys
import types

sys.path.insert(0, sys.argv[1])
import p2p_peer  # noqa: E402
import tgp2p  # noqa: E402
from aiortc.sdp import candidate_from_sdp  # noqa: E402

role, offer_after_setup = sys.argv[2], sys.argv[3] == "1"
Peer = p2p_peer.Peer
UFRAG, PWD = "PyUf", "PythonPeerPassword012345"
FP = ":".join(["AB"] * 32)
SSRC = 3000000001
sent = []
added = []


class Log:
    def write(self, s):
        pass

    def flush(self):
        pass


async def noop(*args):
    pass


async def add_candidate(sdp):
    body = sdp[len("candidate:"):] if sdp.startswith("candidate:") else sdp
    c = candidate_from_sdp(body)
    added.append({"ip": c.ip, "port": c.port, "type": c.type, "component": c.component,
                  "protocol": c.protocol, "priority": c.priority, "foundation": c.foundation})


p = types.SimpleNamespace()
p.a = types.SimpleNamespace(offer_after_setup=offer_after_setup, pt=111, no_datachannel=True)
p.is_caller = role == "caller"
p.report = {"signaling": {"bad_json": 0, "messages_in": 0}}
p.log = Log()
p.local_ssrc = SSRC
p.need_negotiation, p.pending_offer_id = True, None
p.outgoing = p.incoming = None
p.pending_candidates = []
p.handshake_completed = False
p.remote_setups = []
p.send_message = lambda msg: sent.append(tgp2p.dumps(msg).decode())
p.initial_setup = lambda: tgp2p.initial_setup(UFRAG, PWD, "sha-256", FP, "actpass" if p.is_caller else "passive",
                                              renomination=False)
p.audio_payload_type = lambda pt: Peer.audio_payload_type(p, pt)
p.send_offer_if_needed = lambda: Peer.send_offer_if_needed(p)
p.answer = lambda offer: Peer.answer(p, offer)


async def connect(setup):
    p.remote_setups.append({"ufrag": setup["ufrag"], "pwd": setup["pwd"], "fingerprints": setup["fingerprints"]})


p.connect = connect
p.add_candidate = add_candidate
p.start_media = noop


def flush():
    for m in sent:
        print(m)
    sent.clear()
    print("END", flush=True)


async def main():
    if p.is_caller:  # as Peer.run: InitialSetup and (new apps) the first offer at start
        p.send_message(p.initial_setup())
        if not offer_after_setup:
            p.send_offer_if_needed()
    p.send_message(tgp2p.candidates_message(
        ["candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host generation 0 ufrag %s network-id 1" % UFRAG]))
    flush()
    for line in sys.stdin:
        Peer.on_message(p, line.strip().encode())
        await asyncio.sleep(0)  # let the scheduled connect/add_candidate run
        await asyncio.sleep(0)
        flush()
    print("STATE " + json.dumps({
        "bad_json": p.report["signaling"]["bad_json"], "messages_in": p.report["signaling"]["messages_in"],
        "handshake_completed": p.handshake_completed, "pending_offer_id": p.pending_offer_id,
        "outgoing": p.outgoing, "incoming": p.incoming, "remote_setups": p.remote_setups, "added": added,
        "local_ssrc": SSRC}), flush=True)


asyncio.run(main())
