// The scenario reader's inside, shared by its files and internal to sim/scenario/: the Reader (a YAML
// tree into a Scenario, reader.cpp and reader_sweep.cpp; its consistency checks, reader_checks.cpp and
// reader_network.cpp), the scalar value readers, the raw text and document checks (document.cpp) and
// the overrides (overrides.cpp). scenario_yaml.cpp strings them together.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_keys.hpp"
#include "sim/scenario/units.hpp"

namespace eccsim::scenario_reader {

using namespace scenario_table;

inline int line_of_mark(const YAML::Mark& mark) { return mark.line >= 0 ? mark.line + 1 : 1; }

// Bounds met while reading, before anything is built from the text (the admission check,
// admission.hpp, bounds what the scenario would then run).
inline constexpr size_t kMaxScenarioBytes = 2 << 20;   // the largest shipped scenario is a few KB
inline constexpr size_t kMaxSweepValues = 10'000;      // per sweep axis, and entries per flow collection

// ------------------------------------------------------------------------------------------------
// Scalar values (reader.cpp)

// What a key of `kind` takes, for messages: "a number", "a time, e.g. 10ms", "one of: a, b".
std::string expectation(Kind kind, UnitKind unit, const std::vector<std::string>& choices);
bool read_flag(const std::string& text, const std::string& path, Where where);
// An integer in `range` (instantiated for int; assign instantiates the other field types).
template <class Int>
Int read_integer(const Range& range, const std::string& text, const std::string& path, Where where);
// A plain number (Kind::real) or a unit string (Kind::quantity) in `range`.
double read_double(Kind kind, UnitKind unit, const Range& range, const std::string& text, const std::string& path,
                   Where where);

// ------------------------------------------------------------------------------------------------
// Reading a YAML tree

// Where each overridden key path's value came from (a --set, or a sweep value being checked).
using Overrides = std::map<std::string, Where>;

// One sweep axis as written, kept to check each value against the rest of the scenario.
struct AxisSource {
  std::string key;
  bool zip = false;
  std::vector<YAML::Node> values;
  std::vector<int> lines;       // of each value; 0: set by --set

  // Where value `index` was given.
  Where where(size_t index) const { return Where{lines[index], lines[index] == 0}; }
};

// A node as one line of flow YAML: a sweep value as the sweep applies it and messages show it.
std::string yaml_text(const YAML::Node& node);

class Reader {
 public:
  explicit Reader(Overrides overrides) : overrides_(std::move(overrides)) {}

  // The scenario of a root mapping, every key checked; cross-field checks included.
  Scenario read(const YAML::Node& root);

  const std::map<std::string, Where>& given() const { return given_; }
  const std::vector<AxisSource>& axes() const { return axes_; }

 private:
  // platform.sites and platform.groups as found, read after the rest of the file.
  struct PendingList {
    Kind kind;
    YAML::Node node;
    Where where;
  };

  // How platform.groups give their devices (resolve_groups).
  struct GroupCounts {
    int64_t counted = 0;          // the devices of the groups that give a count
    int rest = -1;                // the group that gives neither count nor share; -1: none
    std::vector<size_t> shared;   // the groups that give a share
  };

  // Locations and blame (reader.cpp)
  Where where_of(const std::string& path, int line) const;
  // A key of the device, access, backhaul or workload block under `prefix` (a site or group; empty:
  // the top level): its own path when given there or not given at the top level, else the top-level one.
  std::string block_key(const std::string& prefix, const std::string& key) const;
  Where given_at(const std::string& path) const;
  bool overridden(const std::string& path) const;
  // The first of `paths` given explicitly (defaults are never inconsistent among themselves).
  std::string blame(std::initializer_list<std::string> paths) const;
  [[noreturn]] void fail_at(const std::string& path, const std::string& message) const;

  // Sections, lists and tables (reader.cpp)
  // Reads `node` as the section `prefix` of the key table; `shown` is its path in the file (a
  // site's or group's block: "platform.groups[1].device" for the section "platform.device").
  void read_section(const YAML::Node& node, const std::string& prefix, const std::string& shown, Where where,
                    Scenario& s);
  // One mapping of a list (faults, sites, groups); returns the keys given, with their lines.
  template <class Element>
  std::map<std::string, int> read_element(const YAML::Node& element, const std::string& list_key,
                                          const std::string& path, Where here, const std::vector<Key<Element>>& keys,
                                          Element& out, Scenario* blocks);
  void apply_profile(const std::string& shown, const std::map<std::string, int>& block_keys, DeviceConfig& device) const;
  void read_lists(Scenario& s);
  void read_faults(const YAML::Node& node, Where where, Scenario& s);
  void read_latency_table(const YAML::Node& node, const std::string& path, Where where, Scenario& s);
  void read_list(const Key<Scenario>& key, const YAML::Node& node, const std::string& path, Where where, Scenario& s);
  void read_params(const YAML::Node& node, const std::string& path, Where where, std::vector<PluginParam>& params);

  // Resolving what depends on other keys (reader.cpp)
  void resolve_groups(Scenario& s) const;
  GroupCounts count_groups(const std::vector<GroupConfig>& groups) const;
  void share_with_rest(std::vector<GroupConfig>& groups, const GroupCounts& counts, int devices,
                       const std::string& devices_text) const;
  void share_exactly(std::vector<GroupConfig>& groups, const GroupCounts& counts, int devices, bool devices_given,
                     const std::string& devices_text) const;
  void check_shares_got_devices(const std::vector<GroupConfig>& groups, const std::vector<size_t>& shared,
                                int devices) const;
  void apply_dependent_defaults(Scenario& s) const;

  // The sweep block (reader_sweep.cpp)
  void read_sweep(const YAML::Node& node, Where where, Scenario& s);
  SweepAxis read_axis(const std::string& key, const YAML::Node& values, const std::string& path, Where where,
                      bool zip);
  void read_replications(const YAML::Node& node, Where where, SweepReplications& out);
  void read_until(const YAML::Node& node, const std::string& key_path, Where here, int line, SweepReplications& out);
  void read_compare(const YAML::Node& node, Where where, SweepConfig& sweep);
  void check_zip_lengths(const std::vector<SweepAxis>& zip) const;

  // Cross-field checks, section by section, in the order they fire (reader_checks.cpp)
  void check_consistency(Scenario& s) const;   // and parses the fault targets
  void check_dataset(const Scenario& s) const;
  void check_class_order(const Scenario& s, int classes) const;
  void check_tasks(const Scenario& s, int classes) const;
  void check_models(const Scenario& s) const;
  void check_platform_blocks(const Scenario& s) const;
  void check_power(const std::string& busy, const std::string& idle, double idle_W, double busy_W) const;
  void check_block_power(const std::string& prefix, const std::string& section, double idle_W, double busy_W) const;
  void check_device_and_access(const std::string& prefix, const DeviceConfig& device, const AccessConfig& access,
                               UpdateMode update_mode) const;
  void check_radio(const std::string& prefix, const DeviceConfig& device, const AccessConfig& access) const;
  void check_access_levels(const std::string& prefix, const AccessConfig& access) const;
  void check_trace(const std::string& prefix, const WorkloadConfig& w) const;
  void check_group_site(const std::string& prefix, const GroupConfig& group, const std::vector<SiteConfig>& sites) const;
  void check_cloud_latency(const Scenario& s) const;
  void check_workload(const Scenario& s) const;
  void check_offload_share(Scenario& s) const;
  void check_update(const Scenario& s) const;
  void check_faults(Scenario& s) const;        // and parses their targets

  // The network model (reader_network.cpp)
  void check_packet_network(const Scenario& s) const;
  void read_network_calibration(Scenario& s) const;

  Overrides overrides_;
  std::map<std::string, Where> given_;   // key path -> where its value was given
  std::vector<PendingList> lists_;
  std::vector<AxisSource> axes_;
};

// ------------------------------------------------------------------------------------------------
// The text and its YAML document (document.cpp)

// Refuses explicit YAML tags and scalars too long for any key, anywhere under `node` (named `path`).
void check_nodes(const YAML::Node& node, const std::string& path, bool from_set);

// The text's one YAML document, a mapping; the text checked for size, NUL bytes and flow
// collections first.
YAML::Node parse_document(const std::string& text);

// ------------------------------------------------------------------------------------------------
// Overrides: --set and sweep values (overrides.cpp)

// The file's tree (`root`, freshly parsed) with the --set overrides applied; `origins` learns which
// paths they replaced.
YAML::Node build_tree(YAML::Node root, const std::vector<std::string>& set_arguments, Overrides& origins);

// Every sweep value (every zip row together) applied to the scenario must validate; `text` is the
// file's, `root` its tree with --set applied, `axes` the sweep as the Reader found it.
void check_sweep_values(const std::string& text, const std::vector<std::string>& set_arguments,
                        const YAML::Node& root, const Overrides& set_origins, const std::vector<AxisSource>& axes,
                        const std::string& file);

}  // namespace eccsim::scenario_reader
