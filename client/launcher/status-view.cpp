// `startup.sh status` (status-view.h).
#include "client/launcher/status-view.h"

#include <map>

#include <fmt/format.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "client/launcher/answer-json.h"
#include "client/launcher/process-table.h"
#include "client/launcher/say.h"

namespace jh::launch {

namespace {

const char* kindName(Kind kind) {
  switch (kind) {
    case Kind::REPLICA: return "replica";
    case Kind::FRONTEND: return "frontend";
    case Kind::CLIENT: return "client";
    case Kind::NONE: break;
  }
  return "";
}

}  // namespace

StatusView makeStatus(const std::vector<ProcessFacts>& facts, const std::string& frontendView) {
  StatusView view;
  view.frontendView = frontendView;
  rapidjson::Document doc = parseAnswer(frontendView);
  view.primary = textAt(doc, "primary");
  for (auto& f : facts) {
    ProcessRow row{f.name, kindName(f.kind), f.pid, f.state, f.port, "", std::nullopt};
    if (f.kind == Kind::REPLICA) {
      const rapidjson::Value* seen = replicaNamed(doc, f.name);
      if (f.state == "exited") {
        row.role = "down";
        if (f.name == view.primary) {
          view.exitedPrimary = f.name;
          view.primary = "";
        }
      } else if (seen != nullptr) {
        std::string state = textAt(*seen, "state");
        row.role = textAt(*seen, "role");
        if (state != "READY" && state != "DOWN") row.role += ", " + state;
        if (textAt(*seen, "role") != "down") row.orders = uint64_t(numberAt(*seen, "order_count"));
        // As jh-client status says it: how far a catching-up replica has got, who is promoted.
        if (state == "SYNCING") {
          std::string toGo = textAt(doc, "primary").empty()
                                 ? ""
                                 : fmt::format(", {} to go", numberAt(*seen, "lag"));
          view.notes.push_back(fmt::format("{} is catching up: {} rows fetched{}.", f.name,
                                           numberAt(*seen, "fetched"), toGo));
        } else if (state == "PROMOTING") {
          view.notes.push_back(f.name +
                               " is being promoted: it syncs with its peers before it serves.");
        }
      }
    } else if (f.kind == Kind::FRONTEND) {
      if (f.answered)
        row.role = "serving";
      else if (f.state == "running")
        row.role = "not answering";
    }
    view.rows.push_back(row);
  }
  return view;
}

std::string statusTable(const StatusView& view, const std::string& cluster, const std::string& mode,
                        bool colour) {
  auto dash = [](const auto& value) {
    return value ? fmt::format("{}", *value) : std::string("-");
  };
  std::string out =
      fmt::format("cluster {}, mode {}\n", cluster, mode.empty() ? "not started" : mode);
  out += fmt::format("{:<17} {:>7}  {:<9} {:>5}  {:<20} {:>6}\n", "NAME", "PID", "STATE", "PORT",
                     "ROLE", "ORDERS");
  for (auto& r : view.rows) {
    std::string line =
        fmt::format("{:<17} {:>7}  {:<9} {:>5}  {:<20} {:>6}", r.name, dash(r.pid), r.state,
                    dash(r.port), r.role.empty() ? "-" : r.role, dash(r.orders));
    if (r.role.starts_with("primary"))
      line = paint(colour, "1;32", line);
    else if (r.role.starts_with("down") || r.role == "not answering" || r.state == "exited" ||
             r.state == "stopped")
      line = paint(colour, "31", line);
    out += line + "\n";
  }
  for (auto& note : view.notes) out += note + "\n";
  if (view.frontendView.empty()) {
    out += "no front-end answered: the replicas' roles are unknown\n";
  } else if (!view.exitedPrimary.empty()) {
    out += fmt::format("no primary: {} exited; the front-end fails over at its next heartbeat\n",
                       view.exitedPrimary);
  } else if (view.primary.empty()) {
    out += "no primary: no replica is READY\n";
  } else {
    out += "primary: " + view.primary + "\n";
  }
  return out;
}

std::string statusJson(const StatusView& view, const std::string& cluster, const std::string& mode,
                       const std::string& runDir) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> j(buffer);
  j.SetIndent(' ', 2);
  // "" and nullopt are null: not known, or not started.
  auto text = [&](const char* key, const std::string& value) {
    j.Key(key);
    value.empty() ? j.Null() : j.String(value.c_str());
  };
  auto number = [&](const char* key, const auto& value) {
    j.Key(key);
    value ? j.Uint64(uint64_t(*value)) : j.Null();
  };
  j.StartObject();
  text("cluster", cluster);
  text("mode", mode);
  text("run_dir", runDir);
  text("primary", view.primary);
  j.Key("processes");
  j.StartArray();
  for (auto& r : view.rows) {
    j.StartObject();
    text("name", r.name);
    text("kind", r.kind);
    number("pid", r.pid);
    text("state", r.state);
    number("port", r.port);
    text("role", r.role);
    number("orders", r.orders);
    j.EndObject();
  }
  j.EndArray();
  j.Key("frontend_view");
  rapidjson::Document frontend;
  frontend.Parse(view.frontendView.c_str());
  view.frontendView.empty() || frontend.HasParseError() ? j.Null() : frontend.Accept(j);
  j.EndObject();
  return std::string(buffer.GetString()) + "\n";
}

StatusView collectStatus(const System& system) {
  std::map<std::string, bool> answered;
  std::string frontendView;
  for (auto& fe : system.frontends()) {
    auto port = system.port(fe);
    // Not listening: no need to wait for jh-client's retries to say so.
    if (!port || !portListening(*port) || !isExecutable(system.bin("jh-client"))) continue;
    auto status = capture({system.bin("jh-client"), "--cluster", system.clusterPath, "--frontend",
                           fe, "--json", "status"},
                          3000);
    if (status.status != 0) continue;
    answered[fe] = true;
    if (frontendView.empty()) frontendView = status.out;
  }
  std::vector<ProcessFacts> facts;
  auto names = system.servers();
  names.push_back(CLIENT);
  for (auto& name : names) {
    ProcessFacts f{name, system.kind(name), system.run.recordedPid(name),
                   "",   std::nullopt,      answered[name]};
    if (f.kind != Kind::CLIENT) f.port = system.port(name);
    if (!f.pid)
      f.state = "-";
    else if (!pidAlive(*f.pid) || !isOurs(name, procCmdline(*f.pid), CLIENT))
      f.state = "exited";
    else if (procState(*f.pid) == 'T')
      f.state = "stopped";
    else if (f.port && !portListening(*f.port))
      f.state = "starting";
    else
      f.state = "running";
    facts.push_back(f);
  }
  return makeStatus(facts, frontendView);
}

}  // namespace jh::launch
