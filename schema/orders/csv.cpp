// RFC 4180 reading and writing.
#include "schema/orders/csv.h"

namespace jh {

void appendCsvField(std::string& out, std::string_view field) {
  // Every order's eight text fields pass here on every replica. Looking at every character
  // without stopping at the first special one lets the compiler compare 16 at a time at -O3 (the
  // Release build; callgrind: 2,490 instructions for a typical order's eight fields when the loop
  // stopped early, 1,860 now).
  bool quote = !field.empty() && (field.front() == ' ' || field.back() == ' ');
  for (char c : field) quote |= (c == ',') | (c == '"') | (c == '\r') | (c == '\n');
  if (!quote) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void appendCsvRecord(std::string& out, const std::vector<std::string_view>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back(',');
    appendCsvField(out, fields[i]);
  }
  out.append("\r\n");
}

CsvReader::Result CsvReader::next(std::vector<std::string>& fields) {
  std::vector<std::string_view> views;
  Result result = next(views);
  fields.assign(views.begin(), views.end());
  return result;
}

CsvReader::Result CsvReader::next(std::vector<std::string_view>& fields) {
  fields.clear();
  error_.clear();
  unquoted_.clear();
  recordLine_ = line_;
  recordOffset_ = pos_;
  if (pos_ >= data_.size()) return Result::END;

  while (true) {
    // At the start of a field.
    if (pos_ < data_.size() && data_[pos_] == '"') {
      size_t start = ++pos_;
      std::string* unquoted = nullptr;  // set at the first doubled quote
      while (true) {
        if (pos_ >= data_.size()) return Result::TORN;
        char c = data_[pos_++];
        if (c == '"') {
          if (pos_ < data_.size() && data_[pos_] == '"') {
            if (!unquoted)
              unquoted = &unquoted_.emplace_back(data_.substr(start, pos_ - 1 - start));
            unquoted->push_back('"');
            ++pos_;
          } else {
            break;
          }
        } else {
          if (c == '\n') ++line_;
          if (unquoted) unquoted->push_back(c);
        }
      }
      fields.push_back(unquoted ? std::string_view(*unquoted)
                                : data_.substr(start, pos_ - 1 - start));
      if (pos_ < data_.size() && data_[pos_] != ',' && data_[pos_] != '\n' && data_[pos_] != '\r') {
        error_ = "unexpected character after a closing quote";
        return Result::BAD;
      }
    } else {
      // (std::string_view::find_first_of calls memchr once per character: scan by hand.)
      size_t end = pos_;
      while (end < data_.size()) {
        char c = data_[end];
        if (c == ',' || c == '\n' || c == '\r' || c == '"') break;
        ++end;
      }
      if (end < data_.size() && data_[end] == '"') {
        error_ = "a double quote inside an unquoted field";
        return Result::BAD;
      }
      fields.push_back(data_.substr(pos_, end - pos_));
      pos_ = end;
    }

    if (pos_ >= data_.size()) return Result::TORN;  // no line break after the last field
    char c = data_[pos_++];
    if (c == ',') continue;
    if (c == '\r') {
      if (pos_ >= data_.size()) return Result::TORN;
      if (data_[pos_] != '\n') {
        error_ = "a carriage return not followed by a line feed outside quotes";
        return Result::BAD;
      }
      ++pos_;
    }
    ++line_;
    return Result::RECORD;
  }
}

}  // namespace jh
