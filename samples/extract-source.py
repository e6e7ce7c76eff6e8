#!/usr/bin/env python3
"""Regenerates samples/book-source.txt from the Debian package r-cran-janeaustenr.

The package stores Jane Austen's novels (Project Gutenberg texts, one line per printed line) as
R character vectors in an R lazy-load database, data/Rdata.rdb with its index data/Rdata.rdx.
This script reads them with a minimal reader of R's XDR serialisation (Python standard library
only, no R needed) and writes chapters 1-10 of Pride and Prejudice with a provenance header.

    apt-get download r-cran-janeaustenr && dpkg -x r-cran-janeaustenr_*.deb pkg
    python3 samples/extract-source.py pkg/usr/lib/R/site-library/janeaustenr/data > samples/book-source.txt

It is run once by hand; make-sample-book.py reads the committed text and needs no network.
"""
import gzip
import struct
import sys
import zlib

FIRST_CHAPTER, LAST_CHAPTER = 1, 10


class RReader:
    """Reads the subset of R serialisation format 2/3 (XDR) that janeaustenr's data uses."""

    NILVALUE, SYMSXP, LISTSXP, CHARSXP, LGLSXP, INTSXP, REALSXP, STRSXP, VECSXP, REFSXP = (
        254, 1, 2, 9, 10, 13, 14, 16, 19, 255)

    def __init__(self, data):
        if data[:2] != b"X\n":
            raise ValueError("not an XDR R serialisation")
        self.data, self.pos, self.refs = data, 2, []
        version = self.int32()
        self.int32(), self.int32()  # writer version, minimal reader version
        if version == 3:
            length = self.int32()  # then the native encoding's name
            self.pos += length

    def int32(self):
        (value,) = struct.unpack_from(">i", self.data, self.pos)
        self.pos += 4
        return value

    def item(self):
        flags = self.int32()
        kind, has_attr, has_tag = flags & 0xFF, flags & 0x200, flags & 0x400
        if kind == self.NILVALUE:
            return None
        if kind == self.CHARSXP:
            n = self.int32()
            if n == -1:
                return None  # NA_character_
            text = self.data[self.pos:self.pos + n].decode("utf-8")
            self.pos += n
            return text
        if kind == self.SYMSXP:
            name = self.item()
            self.refs.append(name)
            return name
        if kind == self.REFSXP:
            return self.refs[(flags >> 8) - 1]
        if kind == self.LISTSXP:  # pairlist of attributes: tag -> value
            pairs = {}
            while kind == self.LISTSXP:
                if has_attr:
                    self.item()
                tag = self.item() if has_tag else None
                pairs[tag] = self.item()
                flags = self.int32()
                kind, has_attr, has_tag = flags & 0xFF, flags & 0x200, flags & 0x400
            if kind != self.NILVALUE:
                raise ValueError(f"unexpected type {kind} ending a pairlist")
            return pairs
        if kind in (self.STRSXP, self.VECSXP, self.INTSXP, self.LGLSXP, self.REALSXP):
            n = self.int32()
            if kind in (self.STRSXP, self.VECSXP):
                values = [self.item() for _ in range(n)]
            else:
                fmt = ">%dd" % n if kind == self.REALSXP else ">%di" % n
                values = list(struct.unpack_from(fmt, self.data, self.pos))
                self.pos += struct.calcsize(fmt)
            attributes = self.item() if has_attr else None
            return (values, attributes) if attributes else values
        raise ValueError(f"R type {kind} not supported by this reader")


def load(data_dir, name):
    """One object of an R lazy-load database: the index maps names to (offset, length) in .rdb."""
    index, _ = RReader(gzip.decompress(open(f"{data_dir}/Rdata.rdx", "rb").read())).item()
    (spans, attributes) = index[0]
    span = dict(zip(attributes["names"], spans))[name]
    with open(f"{data_dir}/Rdata.rdb", "rb") as f:
        f.seek(span[0])
        blob = f.read(span[1])
    # Each record: 4-byte big-endian uncompressed length, then a zlib stream.
    return RReader(zlib.decompress(blob[4:])).item()


def main():
    lines = [line or "" for line in load(sys.argv[1], "prideprejudice")]
    start = lines.index(f"Chapter {FIRST_CHAPTER}")
    end = lines.index(f"Chapter {LAST_CHAPTER + 1}")
    excerpt = lines[start:end]
    while excerpt and not excerpt[-1].strip():
        excerpt.pop()
    print(f"""\
# Pride and Prejudice by Jane Austen (1813), chapters {FIRST_CHAPTER}-{LAST_CHAPTER}.
# Public domain: the author died in 1817; this is the Project Gutenberg text as carried by the
# Debian package r-cran-janeaustenr 1.0.0-1 (bookworm, main), R object `prideprejudice` in
# /usr/lib/R/site-library/janeaustenr/data/Rdata.rdb, extracted by samples/extract-source.py.
# Lines as in the source; underscores mark italics. Lines starting with "#" are this header.
""")
    print("\n".join(excerpt))


if __name__ == "__main__":
    main()
