"""Makes dataset-pane.json for DatasetPaneTests, independently of TuneBench's code.

Input: the body text of pages 6-9 of the sample book, from samples/pride-and-prejudice-a5.gt.json
(the lines the book generator drew). Reference tokenization: Hugging Face `tokenizers` (0.23) with
Tests/Fixtures/golden/smollm2-tokenizer.json, following the documented recipe of `tunebench prepare`:
".\n" ends a paragraph (the "." stays, EOS id 2 follows), other newlines become spaces, each
segment encoded without special tokens; records are joined into one stream, with a space before a
record when the stream does not end in EOS. Windows: the stream cut into whole windows of CTX.

Run: /tmp/tokv/bin/python Tests/WorkbenchTests/Fixtures/make-dataset-fixture.py (from the package root).
"""
import json
from tokenizers import Tokenizer

EOS = 2
CTX = 128
gt = json.load(open("samples/pride-and-prejudice-a5.gt.json"))
tok = Tokenizer.from_file("Tests/Fixtures/golden/smollm2-tokenizer.json")
records = [p["body"] for p in gt["pages"] if p["page"] in (6, 7, 8, 9)]


def record_ids(text):
    parts = text.split(".\n")
    parts = [p + "." for p in parts[:-1]] + [parts[-1]]
    ids = []
    for i, part in enumerate(parts):
        if i > 0:
            ids.append(EOS)
        part = part.replace("\n", " ")
        if part:
            ids += tok.encode(part, add_special_tokens=False).ids
    return ids


pieces = [[tok.decode([i], skip_special_tokens=False) for i in record_ids(r)] for r in records]
stream = []
for r in records:
    body = r if not stream or stream[-1] == EOS else " " + r
    stream += record_ids(body)
windows = len(stream) // CTX
json.dump({"pages": [6, 7, 8, 9], "records": records, "pieces": pieces, "context_length": CTX,
           "stream_tokens": len(stream), "windows": windows}, open("Tests/WorkbenchTests/Fixtures/dataset-pane.json", "w"),
          ensure_ascii=False, indent=1)
print(len(stream), windows, [len(p) for p in pieces])
