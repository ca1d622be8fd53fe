#pragma once
// Streaming line reader for plain or gzip-compressed text (zlib reads both transparently),
// plus a field splitter and number parsers whose errors name FILE:LINE, the field and what
// was expected. Traces are read once, front to back, so nothing is ever held in memory
// beyond one buffer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace marlsim {

class LineReader {
 public:
  // Opens `path`; throws InputError naming the path if it cannot be opened.
  explicit LineReader(std::string path, std::size_t buffer_bytes = std::size_t{1} << 20);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its '\n' (and without a trailing '\r'); false at end of file.
  // The view stays valid until the next call.
  bool next(std::string_view& line);

  std::uint64_t line_number() const { return line_number_; }  // 1-based, of the last line
  const std::string& path() const { return path_; }
  // Bytes on disk (compressed size for .gz) and bytes of text delivered so far.
  std::uint64_t file_bytes() const { return file_bytes_; }
  std::uint64_t text_bytes() const { return text_bytes_; }

  // Throws InputError "PATH:LINE: what" for the current line.
  [[noreturn]] void fail(const std::string& what) const;

 private:
  bool fill();  // reads more text behind the unconsumed tail; false when nothing more came

  std::string path_;
  void* gz_ = nullptr;  // gzFile, kept opaque so callers need not include zlib.h
  std::vector<char> buf_;
  std::size_t begin_ = 0, end_ = 0;  // unconsumed text is buf_[begin_, end_)
  bool eof_ = false;
  std::uint64_t line_number_ = 0;
  std::uint64_t file_bytes_ = 0;
  std::uint64_t text_bytes_ = 0;
};

// The fields of one line. Splitting reuses its storage, so one instance per reader loop
// costs no allocation per line.
class LineFields {
 public:
  // Fields separated by runs of spaces/tabs (SWF); leading/trailing blanks ignored.
  void split_whitespace(std::string_view line);
  // Fields separated by `delim` exactly (CSV without quoting); empty fields are kept.
  void split(std::string_view line, char delim);

  std::size_t size() const { return fields_.size(); }
  std::string_view operator[](std::size_t i) const { return fields_[i]; }

 private:
  std::vector<std::string_view> fields_;
};

// Parsers for field `index` (0-based; messages say "field index+1 (name)"). On failure they
// throw via reader.fail(): "FILE:LINE: field 5 (allocated processors): expected an integer,
// got "abc"". A missing field (index >= size) is reported the same way.
std::int64_t parse_int_field(const LineReader& reader, const LineFields& fields, std::size_t index,
                             std::string_view name);
double parse_double_field(const LineReader& reader, const LineFields& fields, std::size_t index, std::string_view name);
// Empty field -> `fallback`; otherwise like parse_double_field.
double parse_double_field_or(const LineReader& reader, const LineFields& fields, std::size_t index,
                             std::string_view name, double fallback);
// The raw text of a field, checked to exist and to be non-empty.
std::string_view text_field(const LineReader& reader, const LineFields& fields, std::size_t index,
                            std::string_view name);
// Throws unless the line has at least `count` fields.
void require_fields(const LineReader& reader, const LineFields& fields, std::size_t count, std::string_view what);

// Plain number parsing without locale or allocation; false if `text` is not entirely a number.
bool parse_int(std::string_view text, std::int64_t& value);
bool parse_double(std::string_view text, double& value);

}  // namespace marlsim
