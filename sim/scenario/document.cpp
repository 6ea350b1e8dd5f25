// The scenario's text and its YAML document, checked before any key is read: size, NUL bytes, flow
// nesting and length (check_text), one document that is a mapping (parse_document), and no YAML
// tags nor overlong scalars in it or in a --set value (check_nodes).
#include "sim/scenario/reader.hpp"

#include <fmt/core.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <string>
#include <vector>

namespace eccsim::scenario_reader {

namespace {


// Where the first documents of a YAML stream begin, from parser events alone (no nodes). It stands in
// for YAML::LoadAll, which in yaml-cpp 0.7 loops forever, allocating, when a document does not consume
// its first token (a stray ',' outside brackets: jbeder/yaml-cpp#1040); such a "document" starts where
// the previous one did, so three starts are enough to tell it from a real second document.
class DocumentStarts : public YAML::EventHandler {
 public:
  struct Start {
    YAML::Mark document;   // its first token
    YAML::Mark node;       // its root node
  };

  static std::vector<Start> first_three(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts events;
    while (events.starts_.size() < 3 && parser.HandleNextDocument(events)) {}
    return events.starts_;
  }

  void OnDocumentStart(const YAML::Mark& mark) override {
    starts_.push_back({mark, mark});
    in_root_ = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { root_at(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { root_at(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    root_at(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    root_at(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    root_at(mark);
  }
  void OnMapEnd() override {}

 private:
  void root_at(const YAML::Mark& mark) {
    if (in_root_) starts_.back().node = mark;
    in_root_ = false;
  }

  std::vector<Start> starts_;
  bool in_root_ = false;
};

// The longest scalar any key takes (a file path: PATH_MAX); longer ones are refused before any
// message could echo them.
constexpr size_t kMaxScalarLength = 4096;

// Before YAML parses it: a text larger than any scenario needs, a NUL byte (the file is not text),
// flow collections nested deeper than any scenario needs (yaml-cpp would stop with "bad file") and
// flow lists longer than a sweep axis may be (yaml-cpp takes about 0.5 KB and a few us per node, so
// an 8 MB list took 35 s and 2.4 GB before the sweep reader saw it). Brackets inside quotes are
// skipped; the scan is a guard, the parser stays the judge.
void check_text(const std::string& text) {
  constexpr int kMaxFlowDepth = 64;
  if (text.size() > kMaxScenarioBytes) {
    fail(Where{1, false}, "", fmt::format("a scenario of {} bytes (at most {}): long lists of values belong in a "
                                          "trace file or several sweeps", text.size(), kMaxScenarioBytes));
  }
  int line = 1, depth = 0;
  char quote = 0;
  std::vector<size_t> items(1, 0);   // commas seen in each open flow collection
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\0') fail(Where{line, false}, "", fmt::format("a NUL byte at byte {}: a scenario is YAML text", i + 1));
    if (c == '\n') ++line;
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n' && text[i + 1] != '\0') ++i;   // a comment
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxFlowDepth)
        fail(Where{line, false}, "", fmt::format("lists and mappings nested deeper than {} levels", kMaxFlowDepth));
      items.push_back(0);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
      items.pop_back();
    } else if (c == ',' && depth > 0 && ++items.back() >= kMaxSweepValues) {
      fail(Where{line, false}, "", fmt::format("a list or mapping of more than {} entries (a sweep axis takes at most "
                                               "{} values)", kMaxSweepValues, kMaxSweepValues));
    }
  }
}

}  // namespace

// Refuses explicit YAML tags (`!!str 1`, `!custom x`: the reader goes by each key's own kind, so a
// tag would be ignored silently; untagged nodes carry "?" (plain) or "!" (quoted) in yaml-cpp) and
// scalars too long for any key.
void check_nodes(const YAML::Node& node, const std::string& path, bool from_set) {
  const Where where{from_set ? 0 : line_of(node, 1), from_set};
  const std::string& tag = node.Tag();
  if (!tag.empty() && tag != "?" && tag != "!") {
    fail(where, path, fmt::format("YAML tags are not supported (got '{}'): write the plain value", one_line(tag, 60)));
  }
  if (node.IsScalar() && node.Scalar().size() > kMaxScalarLength) {
    fail(where, path, fmt::format("a value of {} characters (at most {}): '{}'", node.Scalar().size(),
                                  kMaxScalarLength, one_line(node.Scalar(), 40)));
  }
  if (node.IsSequence()) {
    for (size_t k = 0; k < node.size(); ++k) check_nodes(node[k], fmt::format("{}[{}]", path, k), from_set);
  } else if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string name = entry.first.IsScalar() ? one_line(entry.first.Scalar(), 60) : std::string("?");
      check_nodes(entry.first, path, from_set);
      check_nodes(entry.second, join(path, name), from_set);
    }
  }
}

YAML::Node parse_document(const std::string& text) {
  check_text(text);
  std::vector<DocumentStarts::Start> starts;
  YAML::Node root;
  try {
    starts = DocumentStarts::first_three(text);
    for (size_t i = 1; i < starts.size(); ++i) {
      const YAML::Mark& at = starts[i].document;
      if (at.pos != starts[i - 1].document.pos) continue;
      const bool inside = at.pos >= 0 && static_cast<size_t>(at.pos) < text.size();
      const std::string token = inside ? one_line(text.substr(static_cast<size_t>(at.pos), 1)) : std::string();
      fail(Where{line_of_mark(at), false}, "", fmt::format("YAML syntax error: unexpected '{}'", token));
    }
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    fail(Where{e.mark.line >= 0 ? e.mark.line + 1 : 0, false}, "", fmt::format("YAML syntax error: {}", e.msg));
  }
  if (starts.empty() || !root.IsDefined() || root.IsNull()) {
    fail(Where{1, false}, "",
         fmt::format("empty scenario (expected a mapping of top-level keys: {})",
                     comma_list(children_of(scenario_keys(), ""))));
  }
  if (starts.size() > 1) fail(Where{line_of_mark(starts[1].node), false}, "", "expected one YAML document, got several");
  check_nodes(root, "", false);
  if (!root.IsMap()) {
    fail(Where{line_of(root, 1), false}, "",
         fmt::format("expected a mapping of top-level keys ({}), got {}", comma_list(children_of(scenario_keys(), "")),
                     describe(root)));
  }
  return root;
}

}  // namespace eccsim::scenario_reader
