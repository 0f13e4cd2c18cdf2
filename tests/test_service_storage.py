"""Upload safety of the review service (drawcheck/service/storage.py): names and hostile zips."""

import stat
import zipfile

import pytest

from drawcheck.service.storage import UploadError, extract_zip, safe_filename


@pytest.mark.parametrize("name,expected", [
    ("site.dxf", "site.dxf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\总平面.dxf", "总平面.dxf"),
    ("/abs/model.ifc", "model.ifc"),
])
def test_safe_filename_keeps_base_name_only(name, expected):
    assert safe_filename(name) == expected


@pytest.mark.parametrize("name", ["", ".", "..", "a/..", "dir/"])
def test_safe_filename_refuses_empty_and_dots(name):
    with pytest.raises(UploadError):
        safe_filename(name)


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def test_extract_writes_folder_inside_dest(tmp_path):
    z = _zip(tmp_path / "s.zip", [("sub/site.dxf", b"0\nEOF\n"), ("drawcheck.toml", b"x = 1\n")])
    assert extract_zip(z, tmp_path / "out") == ["drawcheck.toml", "sub/site.dxf"]
    assert (tmp_path / "out" / "sub" / "site.dxf").read_bytes() == b"0\nEOF\n"


@pytest.mark.parametrize("bad", ["../evil.txt", "a/../../evil.txt", "/tmp/evil.txt", "..\\evil.txt", "C:/evil.txt"])
def test_zip_slip_refused_and_nothing_left(tmp_path, bad):
    z = _zip(tmp_path / "s.zip", [("ok.txt", b"ok"), (bad, b"evil")])
    with pytest.raises(UploadError):
        extract_zip(z, tmp_path / "data" / "out")
    assert not (tmp_path / "data" / "out").exists()
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "data" / "evil.txt").exists()


def test_symlink_member_refused(tmp_path):
    z = tmp_path / "s.zip"
    with zipfile.ZipFile(z, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UploadError, match="links"):
        extract_zip(z, tmp_path / "out")


def test_zip_bomb_stops_at_limit_with_413(tmp_path):
    # 10 MB of zeros compresses to ~10 kB; the limit is 1 MB, counted while decompressing.
    z = _zip(tmp_path / "bomb.zip", [("zeros.bin", b"\0" * (10 * 1024 * 1024))])
    assert z.stat().st_size < 100_000
    with pytest.raises(UploadError) as err:
        extract_zip(z, tmp_path / "out", max_bytes=1024 * 1024)
    assert err.value.status == 413
    assert not (tmp_path / "out").exists()


def test_too_many_members_413(tmp_path):
    z = _zip(tmp_path / "many.zip", [(f"f{i}.txt", b"") for i in range(11)])
    with pytest.raises(UploadError) as err:
        extract_zip(z, tmp_path / "out", max_members=10)
    assert err.value.status == 413


def test_not_a_zip_is_400(tmp_path):
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(UploadError) as err:
        extract_zip(bad, tmp_path / "out")
    assert err.value.status == 400
