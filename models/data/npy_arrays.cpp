// A hand-written reader for NumPy's .npy format, versions 1.0, 2.0 and 3.0: no Debian C++ library
// reads .npy. Input is untrusted: the header dict is parsed strictly, dtype and shape are checked,
// and the file size must equal what the header announces before anything is allocated from it;
// each failure is one InputError line naming the file and what was expected.
#include "models/data/npy_arrays.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/input_error.hpp"

namespace eccsim {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[] = "\x93NUMPY";                // 6 bytes, then major and minor version
constexpr int64_t kMaxHeaderBytes = int64_t{1} << 16;  // numpy itself refuses headers over 10000
constexpr int64_t kChunkBytes = int64_t{1} << 22;
constexpr const char* kLabelDtypes = "|u1 |i1 <i2 <u2 <i4 <u4 <i8 <u8";

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
  int64_t data_offset = 0;   // bytes before the array data: preamble plus header
};

std::string shape_text(const std::vector<int64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

// A printable one-line excerpt of untrusted header text.
std::string excerpt(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > 80) out += "...";
  return out;
}

// The Python dict literal of a .npy header: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
 public:
  HeaderParser(const fs::path& path, std::string_view text) : path_(path), text_(text) {}

  NpyHeader parse() {
    NpyHeader header;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    skip_space();
    expect('{');
    while (true) {
      skip_space();
      if (consume('}')) break;
      const size_t key_at = pos_;
      const std::string key = parse_string();
      skip_space();
      expect(':');
      skip_space();
      if (key == "descr" && !seen_descr) {
        if (peek() == '[') {
          throw InputError(fmt::format("{}: structured dtype (a record array), expected a plain array",
                                       path_.string()));
        }
        header.descr = parse_string();
        seen_descr = true;
      } else if (key == "fortran_order" && !seen_order) {
        header.fortran_order = parse_bool();
        seen_order = true;
      } else if (key == "shape" && !seen_shape) {
        header.shape = parse_shape();
        seen_shape = true;
      } else {
        pos_ = key_at;
        fail(fmt::format("key '{}' repeated or not one of 'descr', 'fortran_order', 'shape'", excerpt(key)));
      }
      skip_space();
      if (consume(',')) continue;
      expect('}');
      break;
    }
    skip_space();
    if (pos_ != text_.size()) fail("text after the closing '}'");
    if (!seen_descr || !seen_order || !seen_shape) {
      fail(fmt::format("missing key '{}'", !seen_descr ? "descr" : !seen_order ? "fortran_order" : "shape"));
    }
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(fmt::format("{}: malformed .npy header at character {}: {} (header: {})", path_.string(),
                                 pos_, what, excerpt(text_)));
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t')) ++pos_;
  }
  bool consume(char c) {
    if (peek() != c || pos_ >= text_.size()) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!consume(c)) fail(fmt::format("expected '{}'", c));
  }
  std::string parse_string() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    ++pos_;
    const size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string s(text_.substr(pos_, end - pos_));
    if (s.find('\\') != std::string::npos) fail("escape sequences are not supported");
    pos_ = end + 1;
    return s;
  }
  bool parse_bool() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("expected True or False");
  }
  int64_t parse_int() {
    const size_t start = pos_;
    int64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (pos_ - start >= 18) fail("dimension too large");
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
    }
    if (pos_ == start) fail("expected a non-negative integer");
    consume('L');   // Python 2's long suffix, as old numpy wrote it
    return value;
  }
  std::vector<int64_t> parse_shape() {
    std::vector<int64_t> shape;
    expect('(');
    while (true) {
      skip_space();
      if (consume(')')) break;
      if (shape.size() >= 32) fail("more than 32 dimensions");
      shape.push_back(parse_int());
      skip_space();
      if (consume(',')) continue;
      expect(')');
      break;
    }
    return shape;
  }

  const fs::path& path_;
  std::string_view text_;
  size_t pos_ = 0;
};

// An open .npy file positioned at its data, with its parsed header and total size.
struct NpyFile {
  fs::path path;
  std::ifstream in;
  NpyHeader header;
  int64_t file_bytes = 0;
};

uint64_t little_endian(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void open_npy(const fs::path& path, NpyFile& file) {
  file.path = path;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw InputError(fmt::format("{}: not found (npy expects {} in {})", path.string(),
                                 fmt::join(std::begin(kNpyFiles), std::end(kNpyFiles), ", "),
                                 path.parent_path().string()));
  }
  const auto size = fs::file_size(path, ec);
  errno = 0;
  file.in.open(path, std::ios::binary);
  if (ec || !file.in) {
    throw InputError(fmt::format("{}: cannot open: {}", path.string(),
                                 ec ? ec.message() : errno != 0 ? std::strerror(errno) : "unknown error"));
  }
  file.file_bytes = static_cast<int64_t>(size);

  uint8_t preamble[12] = {};
  file.in.read(reinterpret_cast<char*>(preamble), 8);
  const auto got = static_cast<int64_t>(file.in.gcount());
  if (got < 6 || std::memcmp(preamble, kMagic, 6) != 0) {
    throw InputError(fmt::format("{}: not a .npy file (it does not start with \\x93NUMPY)", path.string()));
  }
  if (got < 8) {
    throw InputError(fmt::format("{}: truncated: {} bytes, shorter than the .npy preamble", path.string(), got));
  }
  const int major = preamble[6], minor = preamble[7];
  if (minor != 0 || major < 1 || major > 3) {
    throw InputError(fmt::format("{}: .npy format version {}.{} not supported (1.0, 2.0 or 3.0)", path.string(),
                                 major, minor));
  }
  const int length_bytes = major == 1 ? 2 : 4;
  file.in.read(reinterpret_cast<char*>(preamble + 8), length_bytes);
  if (file.in.gcount() < length_bytes) {
    throw InputError(fmt::format("{}: truncated: the .npy header length is cut off", path.string()));
  }
  const auto header_bytes = static_cast<int64_t>(little_endian(preamble + 8, length_bytes));
  if (header_bytes > kMaxHeaderBytes) {
    throw InputError(fmt::format("{}: implausible .npy header length {} bytes (at most {})", path.string(),
                                 header_bytes, kMaxHeaderBytes));
  }
  std::string text(static_cast<size_t>(header_bytes), '\0');
  file.in.read(text.data(), header_bytes);
  if (file.in.gcount() < header_bytes) {
    throw InputError(fmt::format("{}: truncated: expected a {}-byte .npy header, got {} bytes", path.string(),
                                 header_bytes, file.in.gcount()));
  }
  file.header = HeaderParser(path, text).parse();
  file.header.data_offset = 8 + length_bytes + header_bytes;
}

// descr as (byte order, kind, item size): '<f4' -> ('<', 'f', 4); item size 0 when unparsable.
struct Dtype {
  char order = '\0';
  char kind = '\0';
  int item_bytes = 0;
};

Dtype parse_descr(const std::string& descr) {
  Dtype t;
  if (descr.size() < 3 || std::string_view("<>|=").find(descr[0]) == std::string_view::npos) return t;
  t.order = descr[0];
  t.kind = descr[1];
  const std::string digits = descr.substr(2);
  if (digits == "1" || digits == "2" || digits == "4" || digits == "8") t.item_bytes = digits[0] - '0';
  return t;
}

void check_c_order(const NpyFile& f, const char* convert) {
  if (f.header.fortran_order) {
    throw InputError(fmt::format("{}: fortran_order True, expected C order: save np.ascontiguousarray({})",
                                 f.path.string(), convert));
  }
}

// The file must hold exactly the header plus the data its shape announces.
void check_size(const NpyFile& f, int64_t elements, int item_bytes) {
  const int64_t data = elements * item_bytes;
  const int64_t expected = f.header.data_offset + data;
  const std::string layout = fmt::format("{}-byte header + {} data bytes for shape {} '{}'", f.header.data_offset,
                                         data, shape_text(f.header.shape), f.header.descr);
  if (f.file_bytes < expected) {
    throw InputError(fmt::format("{}: truncated: expected {} bytes ({}), got {}", f.path.string(), expected, layout,
                                 f.file_bytes));
  }
  if (f.file_bytes > expected) {
    throw InputError(fmt::format("{}: {} bytes, more than the {} the header announces ({})", f.path.string(),
                                 f.file_bytes, expected, layout));
  }
}

void read_exactly(NpyFile& f, uint8_t* out, int64_t n) {
  f.in.read(reinterpret_cast<char*>(out), n);
  if (f.in.gcount() != n) {
    throw InputError(fmt::format("{}: read error: the file ended early (changed while being read?)",
                                 f.path.string()));
  }
}

// An images array's count and image shape, as its header gives them.
struct ImagesShape {
  int64_t count = 0;
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
};

// Opens an images file and checks its header (dtype, shape, order) and its size against it; the
// file is left positioned at the data.
ImagesShape open_images(const fs::path& path, NpyFile& f) {
  open_npy(path, f);
  const auto& shape = f.header.shape;
  const Dtype t = parse_descr(f.header.descr);
  if (t.kind != 'u' || t.item_bytes != 1) {
    const char* convert = t.kind == 'f' ? "(x * 255).astype(np.uint8)"
                          : t.kind == 'b' ? "x.astype(np.uint8) * 255"
                                          : "x.astype(np.uint8)";
    throw InputError(fmt::format("{}: dtype '{}', expected uint8 ('|u1'): convert with {}", path.string(),
                                 excerpt(f.header.descr), convert));
  }
  const bool channels_ok = shape.size() == 3 || (shape.size() == 4 && (shape[3] == 1 || shape[3] == 3));
  if (!channels_ok) {
    std::string hint;
    if (shape.size() == 4 && shape[3] == 4) {
      hint = ": drop the alpha channel with x[..., :3]";
    } else if (shape.size() == 4 && (shape[1] == 1 || shape[1] == 3)) {
      hint = ": channels first? convert with x.transpose(0, 2, 3, 1)";
    }
    throw InputError(fmt::format("{}: shape {}, expected (N, H, W) or (N, H, W, C) with C 1 or 3, channels last{}",
                                 path.string(), shape_text(shape), hint));
  }
  const int64_t n = shape[0], h = shape[1], w = shape[2];
  const int64_t c = shape.size() == 4 ? shape[3] : 1;
  if (n == 0 || n > kMaxCount) {
    throw InputError(fmt::format("{}: shape {}: {} images, expected 1..{}", path.string(), shape_text(shape), n,
                                 kMaxCount));
  }
  if (h == 0 || w == 0 || h > kMaxImagePixels || w > kMaxImagePixels || h * w > kMaxImagePixels) {
    throw InputError(fmt::format("{}: shape {}: implausible image size {}x{} (at most {} pixels)", path.string(),
                                 shape_text(shape), h, w, kMaxImagePixels));
  }
  check_c_order(f, "x");
  check_size(f, n * h * w * c, 1);
  return {n, c, h, w};
}

ImageSet read_images(const fs::path& path) {
  NpyFile f;
  const ImagesShape s = open_images(path, f);
  const int64_t n = s.count, h = s.height, w = s.width, c = s.channels;

  ImageSet set;
  set.count = n;
  set.channels = static_cast<int>(c);
  set.height = static_cast<int>(h);
  set.width = static_cast<int>(w);
  set.pixels.resize(static_cast<size_t>(n * h * w * c));   // the file holds exactly these bytes
  if (c == 1) {
    for (int64_t done = 0; done < n * h * w;) {
      const int64_t want = std::min(kChunkBytes, n * h * w - done);
      read_exactly(f, set.pixels.data() + done, want);
      done += want;
    }
    return set;
  }
  // Channels last (H x W x C, as numpy, PIL and torchvision hold them) to C x H x W.
  const int64_t plane = h * w, image = plane * c;
  const int64_t per_chunk = std::max<int64_t>(1, kChunkBytes / image);
  std::vector<uint8_t> buffer;
  for (int64_t first = 0; first < n; first += per_chunk) {
    const int64_t images = std::min(per_chunk, n - first);
    buffer.resize(static_cast<size_t>(images * image));
    read_exactly(f, buffer.data(), images * image);
    for (int64_t i = 0; i < images; ++i) {
      const uint8_t* src = buffer.data() + i * image;
      uint8_t* dst = set.pixels.data() + (first + i) * image;
      for (int64_t p = 0; p < plane; ++p) {
        for (int64_t ch = 0; ch < c; ++ch) dst[ch * plane + p] = src[p * c + ch];
      }
    }
  }
  return set;
}

std::vector<int32_t> read_labels(const fs::path& path) {
  NpyFile f;
  open_npy(path, f);
  const auto& shape = f.header.shape;
  const Dtype t = parse_descr(f.header.descr);
  const bool integer = (t.kind == 'i' || t.kind == 'u') && t.item_bytes > 0;
  if (!integer || (t.item_bytes > 1 && t.order != '<')) {
    const std::string what =
        integer && t.order == '>' ? "big-endian, expected little-endian" : "expected integer labels";
    throw InputError(fmt::format("{}: dtype '{}', {} (one of {}): convert with y.astype(np.int64)", path.string(),
                                 excerpt(f.header.descr), what, kLabelDtypes));
  }
  if (shape.size() != 1) {
    const std::string hint = shape.size() == 2 && shape[1] == 1 ? ": flatten with y.reshape(-1)" : "";
    throw InputError(fmt::format("{}: shape {}, expected one label per image, shape (N,){}", path.string(),
                                 shape_text(shape), hint));
  }
  const int64_t n = shape[0];
  if (n > kMaxCount) {
    throw InputError(fmt::format("{}: shape {}: {} labels, at most {}", path.string(), shape_text(shape), n,
                                 kMaxCount));
  }
  check_c_order(f, "y");
  check_size(f, n, t.item_bytes);

  std::vector<int32_t> labels(static_cast<size_t>(n));
  std::vector<uint8_t> buffer;
  const int64_t per_chunk = kChunkBytes / t.item_bytes;
  for (int64_t first = 0; first < n; first += per_chunk) {
    const int64_t count = std::min(per_chunk, n - first);
    buffer.resize(static_cast<size_t>(count * t.item_bytes));
    read_exactly(f, buffer.data(), count * t.item_bytes);
    for (int64_t i = 0; i < count; ++i) {
      const uint64_t raw = little_endian(buffer.data() + i * t.item_bytes, t.item_bytes);
      const int shift = 64 - 8 * t.item_bytes;
      // Sign-extend signed values (arithmetic shift of the top-aligned bits).
      const bool negative = t.kind == 'i' && static_cast<int64_t>(raw << shift) < 0;
      if (negative) {
        throw InputError(fmt::format("{}: label {} of sample {} is negative, expected 0..num_classes-1",
                                     path.string(), static_cast<int64_t>(raw << shift) >> shift, first + i));
      }
      if (raw > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
        throw InputError(fmt::format("{}: label {} of sample {} out of range 0..{}", path.string(), raw, first + i,
                                     std::numeric_limits<int32_t>::max()));
      }
      labels[static_cast<size_t>(first + i)] = static_cast<int32_t>(raw);
    }
  }
  return labels;
}

fs::path images_path(const fs::path& dir, const std::string& split) { return dir / (split + "_images.npy"); }
fs::path labels_path(const fs::path& dir, const std::string& split) { return dir / (split + "_labels.npy"); }

// The labels of a split whose images file holds `images` images: one each.
std::vector<int32_t> read_split_labels(const fs::path& dir, const std::string& split, int64_t images) {
  std::vector<int32_t> labels = read_labels(labels_path(dir, split));
  if (static_cast<int64_t>(labels.size()) != images) {
    throw InputError(fmt::format("{}: {} labels but {} holds {} images", labels_path(dir, split).string(),
                                 labels.size(), images_path(dir, split).string(), images));
  }
  return labels;
}

ImageSet read_split(const fs::path& dir, const std::string& split) {
  ImageSet set = read_images(images_path(dir, split));
  set.labels = read_split_labels(dir, split, set.count);
  return set;
}

// num_classes = largest label + 1, and every class needs a training sample. Found through the
// sorted distinct training labels, so a huge label value allocates nothing. train is not empty
// (its images file holds at least one image, hence one label).
int count_classes(const fs::path& dir, const std::vector<int32_t>& train, const std::vector<int32_t>& test) {
  std::vector<int32_t> present = train;
  std::sort(present.begin(), present.end());
  present.erase(std::unique(present.begin(), present.end()), present.end());
  int32_t largest = present.back();
  for (int32_t l : test) largest = std::max(largest, l);
  int32_t missing = -1;
  for (size_t k = 0; k < present.size() && missing < 0; ++k) {
    if (present[k] != static_cast<int32_t>(k)) missing = static_cast<int32_t>(k);
  }
  if (missing < 0 && present.back() < largest) missing = present.back() + 1;
  if (missing >= 0) {
    throw InputError(fmt::format("{}: no training sample of class {}, yet labels run up to {} (num_classes = "
                                 "largest label + 1; every class needs a training sample)",
                                 labels_path(dir, "train").string(), missing, largest));
  }
  return largest + 1;
}

}  // namespace

Dataset load_npy_arrays(const fs::path& dir) {
  Dataset ds;
  ds.train = read_split(dir, "train");
  ds.test = read_split(dir, "test");
  ds.num_classes = count_classes(dir, ds.train.labels, ds.test.labels);
  return ds;
}

DatasetShape peek_npy_arrays(const fs::path& dir) {
  NpyFile f;
  const ImagesShape shape = open_images(images_path(dir, "train"), f);
  const std::vector<int32_t> train = read_split_labels(dir, "train", shape.count);
  const std::vector<int32_t> test = read_labels(labels_path(dir, "test"));
  return {static_cast<int>(shape.channels), static_cast<int>(shape.height), static_cast<int>(shape.width),
          count_classes(dir, train, test)};
}

}  // namespace eccsim
