import hashlib
import io

import numpy as np
import pyarrow as pa

from imports_pipeline.store.files import ROW_GROUP_SIZE, FileStore


def test_save_stream_hashes_and_keeps_the_bytes(tmp_path):
    store = FileStore(tmp_path)
    data = b"a;b\n1;2\n" * 1000
    saved = store.save_stream("s1", "upload.csv", io.BytesIO(data), chunk_size=7)
    assert saved.size_bytes == len(data)
    assert saved.sha256 == hashlib.sha256(data).hexdigest()
    assert store.path_of(saved.relative_path).read_bytes() == data
    assert not [p for p in store.session_dir("s1").iterdir() if p.name.endswith(".tmp")]


def test_read_rows_returns_requested_rows_in_order_across_row_groups(tmp_path):
    store = FileStore(tmp_path)
    total = ROW_GROUP_SIZE * 3 + 5
    table = pa.table(
        {"n": pa.array(np.arange(total)), "s": pa.array([f"v{i}" for i in range(total)])}
    )
    name = store.write_table("s1", "rows", table)
    wanted = np.array([total - 1, 3, ROW_GROUP_SIZE, ROW_GROUP_SIZE * 2 + 7, 3])
    rows = store.read_rows("s1", name, wanted)
    assert rows.column("n").to_pylist() == wanted.tolist()
    assert rows.column("s").to_pylist() == [f"v{i}" for i in wanted]
    assert store.read_rows("s1", name, np.array([], dtype=np.int64), columns=["s"]).num_rows == 0


def test_each_table_write_gets_a_new_name_so_readers_of_the_old_one_are_safe(tmp_path):
    store = FileStore(tmp_path)
    first = store.write_table("s1", "errors", pa.table({"x": [1]}))
    second = store.write_table("s1", "errors", pa.table({"x": [2]}))
    assert first != second
    assert store.read_table("s1", first).column("x").to_pylist() == [1]
    store.remove("s1", first)
    assert store.read_table("s1", second).column("x").to_pylist() == [2]
