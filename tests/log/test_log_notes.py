"""Keys, signed notes, checkpoints and cosignatures against published C2SP / Go vectors.

The PeterNeumann key pair and note are the example of golang.org/x/mod/sumdb/note (its
note_test.go); the binarytransparency.log key pair is from the transparency-dev examples; the
cosignature line is the example of C2SP tlog-cosignature, whose signed message shows
``time 1679315147``.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from valueloop.log.checkpoint import Checkpoint, cosign, open_checkpoint, sign_checkpoint
from valueloop.log.keys import (
    COSIGNATURE_V1,
    KeyFormatError,
    Signer,
    VerifierKey,
    read_signer,
    read_verifier_keys,
    write_private_key,
)
from valueloop.log.note import NoteError, parse_note, sign_note, verify_note

VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
TEXT = ("If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n")
NOTE = TEXT + ("\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2p"
               "ZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")


def test_go_reference_key_pair_and_note_byte_for_byte() -> None:
    signer = Signer.parse(SKEY)
    assert signer.verifier_key == VKEY
    assert signer.private_text == SKEY
    assert f"{VerifierKey.parse(VKEY).key_id:08x}" == "c74f20a3"
    assert sign_note(TEXT, [signer]) == NOTE  # Ed25519 is deterministic (RFC 8032)
    assert verify_note(NOTE, [VerifierKey.parse(VKEY)]).text == TEXT


def test_second_published_key_pair_derives_its_key_id() -> None:
    signer = Signer.parse("PRIVATE+KEY+binarytransparency.log/example+5de0f997+"
                          "AXNNv9racVtMynH7oHIogZ4xS5sAIHBl47hlrcf6vsfu")
    assert signer.verifier_key == ("binarytransparency.log/example+5de0f997+"
                                   "AcPfp2roeTxqSqmPdDkA9rIAd0pe3C5Je6Rze2SqBDUp")


def test_every_mangled_verifier_key_is_refused() -> None:
    raw = bytearray(VKEY.encode())
    for i in range(len(raw)):
        raw[i] += 1
        with pytest.raises(KeyFormatError):
            VerifierKey.parse(raw.decode(errors="replace"))
        raw[i] -= 1
    with pytest.raises(KeyFormatError):
        VerifierKey.parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_note_verification_rules() -> None:
    key = VerifierKey.parse(VKEY)
    other = Signer.generate("example.com/other")
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(NOTE.replace("cryptography", "cryptographY"), [key])
    with pytest.raises(NoteError, match="no signature from a known key"):
        verify_note(NOTE, [other.verifier()])
    # an unknown signature is ignored; a known one that fails rejects the whole note
    both = sign_note(TEXT, [Signer.parse(SKEY), other])
    assert verify_note(both, [key]).keys == (key,)
    for bad in ["no blank line\n", TEXT + "\n\u2014 PeterNeumann\n",
                TEXT + "\n- PeterNeumann AAAA\n", TEXT + "\n\u2014 Peter Neumann AAAAAAA=\n",
                TEXT.replace("\n", "\r\n", 1) + NOTE[len(TEXT):]]:
        with pytest.raises(NoteError):
            verify_note(bad, [key])


def test_c2sp_cosignature_example_carries_its_timestamp() -> None:
    line = ("\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEh"
            "ZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n")
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    note = parse_note(body + "\n" + line)
    assert Checkpoint.parse(note.text).size == 20852163
    (signature,) = note.signatures
    assert len(signature.signature) == 8 + 64
    assert int.from_bytes(signature.signature[:8], "big") == 1679315147


def test_checkpoint_cosign_and_open() -> None:
    log, witness = Signer.generate("example.com/log"), Signer.generate("witness.example/w1")
    head = Checkpoint("example.com/log", 5, bytes(range(32)))
    text = sign_checkpoint(head, log)
    assert text.startswith("example.com/log\n5\n" + base64.b64encode(bytes(range(32))).decode())
    cosigned = cosign(text, witness, timestamp=1_700_000_000, log_keys=[log.verifier()])
    opened = open_checkpoint(cosigned, [log.verifier(), witness.verifier(COSIGNATURE_V1)],
                             witnesses_needed=1)
    assert opened.checkpoint == head
    assert opened.cosigners == ((witness.verifier(COSIGNATURE_V1).label, 1_700_000_000),)
    assert witness.cosigner_verifier_key.split("+")[1] != witness.verifier_key.split("+")[1]
    with pytest.raises(NoteError, match="witness cosignatures"):
        open_checkpoint(text, [log.verifier()], witnesses_needed=1)
    with pytest.raises(NoteError, match="only witnesses"):
        open_checkpoint(cosigned, [witness.verifier(COSIGNATURE_V1)])
    with pytest.raises(NoteError, match="not 'other'"):
        open_checkpoint(text, [log.verifier()], origin="other")
    with pytest.raises(NoteError, match="no signature from a known key"):
        cosign(text, witness, log_keys=[witness.verifier()])
    for body in ["o\n01\n" + "A" * 43 + "=\n", "o\n1\nAAAA\n", "o\n1\n", "o\n\n1\nx\n"]:
        with pytest.raises(NoteError):
            Checkpoint.parse(body)


def test_private_key_file_is_0600_and_never_overwritten(tmp_path: Path) -> None:
    signer = Signer.generate("example.com/a")
    path = tmp_path / "a.key"
    write_private_key(path, signer)
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_signer(path).verifier_key == signer.verifier_key
    with pytest.raises(KeyFormatError, match="never overwritten"):
        write_private_key(path, Signer.generate("example.com/a"))
    with pytest.raises(KeyFormatError, match="private key"):
        read_verifier_keys(path)
    public = tmp_path / "a.pub"
    public.write_text(f"# comment\n\n{signer.verifier_key}\nnot a key\n")
    with pytest.raises(KeyFormatError, match=r"a\.pub:4"):
        read_verifier_keys(public)
    with pytest.raises(KeyFormatError, match="space or"):
        Signer.generate("has space")
