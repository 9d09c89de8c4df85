"""Interoperability checks of listings.parquet with pandas/pyarrow, driven by
packages/core/src/listings/parquet.pandas.spec.ts.

Reads one JSON job from stdin and prints one JSON result, so the test pays for
starting Python and importing pandas once:

  {"write": [{"path", "rows", "variant", "compression"}], "describe": [path, ...]}

"write" builds a DataFrame from plain Python rows the way a Python miner would and
stores it as the variant says; "describe" reports how pyarrow and pandas see a file
(every written file is described too).
"""

import json
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def frame_of(rows):
    # Plain records: ints holding None become float64 with NaN, as in any pandas miner.
    return pd.DataFrame.from_records(rows)


def write(job):
    path, variant, compression = job["path"], job["variant"], job["compression"]
    df = frame_of(job["rows"])
    if variant == "plain":
        df.to_parquet(path, compression=compression)
    elif variant == "index":
        # A non-range index is stored as a column named __index_level_0__.
        df.index = [position * 10 for position in range(len(df))]
        df.to_parquet(path, compression=compression)
    elif variant == "nullable_dtypes":
        df.convert_dtypes().to_parquet(path, compression=compression)
    elif variant == "large_string_categorical":
        df = df.astype({"property_type": "category", "listing_status": "category"})
        table = pa.Table.from_pandas(df, preserve_index=False)
        large = pa.schema(
            [
                field.with_type(pa.large_string()) if pa.types.is_string(field.type) else field
                for field in table.schema
            ],
            metadata=table.schema.metadata,
        )
        pq.write_table(table.cast(large), path, compression=compression)
    elif variant == "datetimes":
        df["listing_date"] = pd.to_datetime(df["listing_date"]).dt.date
        df["scraped_timestamp"] = pd.to_datetime(df["scraped_timestamp"], utc=True)
        df.to_parquet(path, compression=compression)
    else:
        raise ValueError(f"unknown variant {variant}")


def records_of(df):
    return df.astype(object).where(df.notna(), None).to_dict(orient="records")


def describe(path):
    parquet_file = pq.ParquetFile(path)
    metadata = parquet_file.metadata
    codecs = sorted(
        {
            metadata.row_group(group).column(column).compression
            for group in range(metadata.num_row_groups)
            for column in range(metadata.num_columns)
        }
    )
    default = pd.read_parquet(path)
    nullable = pd.read_parquet(path, dtype_backend="numpy_nullable")
    return {
        "arrow": {
            field.name: {"type": str(field.type), "nullable": field.nullable}
            for field in parquet_file.schema_arrow
        },
        "codecs": codecs,
        "pandas_dtypes": {column: str(dtype) for column, dtype in default.dtypes.items()},
        "pandas_is_string": {
            column: bool(pd.api.types.is_string_dtype(dtype)) for column, dtype in default.dtypes.items()
        },
        "pandas_nullable_dtypes": {column: str(dtype) for column, dtype in nullable.dtypes.items()},
        "rows": records_of(nullable),
    }


def to_json(value):
    # numpy scalars (int32, float64, ...) and dates are not JSON by themselves.
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def main():
    job = json.load(sys.stdin)
    for write_job in job.get("write", []):
        write(write_job)
    paths = job.get("describe", []) + [write_job["path"] for write_job in job.get("write", [])]
    result = {
        "versions": {"pandas": pd.__version__, "pyarrow": pa.__version__},
        "files": {path: describe(path) for path in paths},
    }
    json.dump(result, sys.stdout, default=to_json)


if __name__ == "__main__":
    main()
