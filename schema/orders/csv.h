// RFC 4180 CSV: one reader and one writer for every CSV file the system reads or writes.
// Records end with CRLF when written; LF alone is accepted when read.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace jh {

// Appends one field to `out`, quoted (quotes doubled) when it holds a comma, a double quote, CR
// or LF, or starts or ends with a space, so that every string round-trips exactly.
void appendCsvField(std::string& out, std::string_view field);

// Appends a whole record, fields joined by commas, ended by CRLF.
void appendCsvRecord(std::string& out, const std::vector<std::string_view>& fields);

class CsvReader {
  // Reads records one at a time from a buffer that stays alive while the reader is used.
 public:
  explicit CsvReader(std::string_view data) : data_(data) {}

  enum class Result {
    RECORD,  // `fields` holds the next record
    END,     // no more data
    TORN,    // the data ends inside a record (no final line break): a write cut short
    BAD,     // malformed; error() says why
  };

  // Reads the next record into `fields` (reused to avoid allocation).
  Result next(std::vector<std::string>& fields);
  // The same without copying: each field views the data, or for a quoted field with doubled
  // quotes, text the reader keeps until its next call.
  Result next(std::vector<std::string_view>& fields);

  // Line (1-based) and byte offset at which the record last returned (or the torn or bad one)
  // begins.
  size_t recordLine() const { return recordLine_; }
  size_t recordOffset() const { return recordOffset_; }
  const std::string& error() const { return error_; }
  // Byte offset just past the last record returned.
  size_t position() const { return pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t recordLine_ = 1;
  size_t recordOffset_ = 0;
  std::string error_;
  std::deque<std::string> unquoted_;  // a deque: its strings stay put while more are added
};

}  // namespace jh
