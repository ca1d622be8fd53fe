#include "workloads/line_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "engine/support/input_error.hpp"

namespace marlsim {

namespace {
gzFile as_gz(void* p) { return static_cast<gzFile>(p); }

std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 40;  // keep the message one readable line
  std::string s = "\"";
  s.append(text.substr(0, kMax));
  if (text.size() > kMax) s += "...";
  s += '"';
  return s;
}

std::string field_label(std::size_t index, std::string_view name) {
  return "field " + std::to_string(index + 1) + " (" + std::string(name) + ")";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

LineReader::LineReader(std::string path, std::size_t buffer_bytes) : path_(std::move(path)) {
  std::error_code ec;
  const auto status = std::filesystem::status(path_, ec);
  if (!std::filesystem::exists(status)) throw InputError::at(path_, "cannot open: no such file");
  if (std::filesystem::is_directory(status)) throw InputError::at(path_, "is a folder; expected a trace file");
  if (!std::filesystem::is_regular_file(status))  // /dev/zero or a FIFO would never end
    throw InputError::at(path_, "is not a regular file (a device, FIFO or socket); expected a trace file");
  file_bytes_ = std::filesystem::file_size(path_, ec);
  gz_ = gzopen(path_.c_str(), "rb");
  if (gz_ == nullptr) throw InputError::at(path_, "cannot open: " + std::string(std::strerror(errno)));
  // A large zlib input buffer cuts read() calls; inflate speed then dominates. Small files
  // get small buffers (text inflates at most ~16x here; the line buffer grows if a line needs
  // it), so reading many small files (tests, fuzzing) does not map and zero 1 MiB each time.
  const std::uint64_t expected_text = std::max<std::uint64_t>(file_bytes_, 1) * 16;
  gzbuffer(as_gz(gz_), static_cast<unsigned>(std::clamp<std::uint64_t>(file_bytes_, 8192, 1u << 18)));
  buf_.resize(static_cast<std::size_t>(
      std::clamp<std::uint64_t>(expected_text, 4096, std::max<std::size_t>(buffer_bytes, 4096))));
}

LineReader::~LineReader() {
  if (gz_ != nullptr) gzclose(as_gz(gz_));
}

bool LineReader::fill() {
  if (eof_) return false;
  // Move the unconsumed tail to the front; grow only when one line outgrows the buffer.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
  const auto room = static_cast<unsigned>(std::min<std::size_t>(buf_.size() - end_, 1u << 30));
  const int got = gzread(as_gz(gz_), buf_.data() + end_, room);
  if (got < 0) {
    int code = 0;
    const char* msg = gzerror(as_gz(gz_), &code);
    throw InputError::at_line(path_, line_number_ + 1, std::string("read error (corrupt gzip?): ") + (msg ? msg : "?"));
  }
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(got);
  text_bytes_ += static_cast<std::uint64_t>(got);
  return true;
}

bool LineReader::next(std::string_view& line) {
  std::size_t scan = begin_;
  for (;;) {
    const char* start = buf_.data() + scan;
    const auto* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - scan));
    if (nl != nullptr) {
      const auto pos = static_cast<std::size_t>(nl - buf_.data());
      line = std::string_view(buf_.data() + begin_, pos - begin_);
      begin_ = pos + 1;
      break;
    }
    const std::size_t scanned = end_ - begin_;
    if (!fill()) {
      if (end_ == begin_) return false;
      line = std::string_view(buf_.data() + begin_, end_ - begin_);  // last line without '\n'
      begin_ = end_;
      break;
    }
    scan = begin_ + scanned;  // fill() moved the tail to the front
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++line_number_;
  return true;
}

void LineReader::fail(const std::string& what) const { throw InputError::at_line(path_, line_number_, what); }

void LineFields::split_whitespace(std::string_view line) {
  fields_.clear();
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (i < n) {
    while (i < n && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == n) break;
    const std::size_t start = i;
    while (i < n && line[i] != ' ' && line[i] != '\t') ++i;
    fields_.push_back(line.substr(start, i - start));
  }
}

void LineFields::split(std::string_view line, char delim) {
  fields_.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = line.find(delim, start);
    if (pos == std::string_view::npos) {
      fields_.push_back(line.substr(start));
      return;
    }
    fields_.push_back(line.substr(start, pos - start));
    start = pos + 1;
  }
}

bool parse_int(std::string_view text, std::int64_t& value) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool parse_double(std::string_view text, double& value) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  // "nan" and "inf" parse but are never meaningful in a trace.
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(value);
}

void require_fields(const LineReader& reader, const LineFields& fields, std::size_t count, std::string_view what) {
  if (fields.size() < count)
    reader.fail("expected " + std::to_string(count) + " fields (" + std::string(what) + "), got " +
                std::to_string(fields.size()));
}

std::string_view text_field(const LineReader& reader, const LineFields& fields, std::size_t index,
                            std::string_view name) {
  if (index >= fields.size())
    reader.fail(field_label(index, name) + ": missing (line has " + std::to_string(fields.size()) + " fields)");
  const std::string_view t = trim(fields[index]);
  if (t.empty()) reader.fail(field_label(index, name) + ": expected a value, got an empty field");
  return t;
}

std::int64_t parse_int_field(const LineReader& reader, const LineFields& fields, std::size_t index,
                             std::string_view name) {
  const std::string_view t = text_field(reader, fields, index, name);
  std::int64_t v = 0;
  if (parse_int(t, v)) return v;
  // Some exporters (pandas) write integers as "12.0": accept an integral float.
  double d = 0;
  // (Range-checked first: converting a double beyond int64 is undefined behaviour.)
  if (parse_double(t, d) && std::abs(d) < 0x1p63 && d == std::trunc(d)) return static_cast<std::int64_t>(d);
  reader.fail(field_label(index, name) + ": expected an integer, got " + quoted(t));
}

double parse_double_field(const LineReader& reader, const LineFields& fields, std::size_t index,
                          std::string_view name) {
  const std::string_view t = text_field(reader, fields, index, name);
  double v = 0;
  if (!parse_double(t, v)) reader.fail(field_label(index, name) + ": expected a number, got " + quoted(t));
  return v;
}

double parse_double_field_or(const LineReader& reader, const LineFields& fields, std::size_t index,
                             std::string_view name, double fallback) {
  if (index >= fields.size())
    reader.fail(field_label(index, name) + ": missing (line has " + std::to_string(fields.size()) + " fields)");
  if (trim(fields[index]).empty()) return fallback;
  return parse_double_field(reader, fields, index, name);
}

}  // namespace marlsim
