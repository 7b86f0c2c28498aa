#!/usr/bin/python3
"""Write every frame of the given classic pcap files as one file each in a corpus directory:
the fuzzer's seeds come from the project's generated captures. Usage: seed_corpus.py DIR PCAP..."""
import os
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    if struct.unpack(endian + "I", magic)[0] not in (0xA1B2C3D4, 0xA1B23C4D):
        return  # not classic pcap (pcapng is covered by the same frames in .pcap form)
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    for path in sys.argv[2:]:
        for frame in frames(path):
            with open(os.path.join(out, "seed-%05d" % n), "wb") as f:
                f.write(frame)
            n += 1
    print("seed_corpus: %d frames" % n)


if __name__ == "__main__":
    main()
