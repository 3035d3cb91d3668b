// The shared test set-up.
#include "tests/client/client-rig.h"

#include "client/command-line.h"
#include "client/one-shot.h"

namespace jh::client::test {

RetryPolicy quickPolicy() {
  RetryPolicy p;
  p.callTimeoutMs = 2000;
  p.connectTimeoutMs = 1000;
  p.attempts = 3;
  p.backoffMs = 0;
  return p;
}

ClientRig::ClientRig(RetryPolicy policy)
    : io(kj::setupAsyncIo()), fakeOwn(kj::heap<FakeFrontEnd>()), fake(*fakeOwn),
      server(io, kj::mv(fakeOwn)),
      client(io.provider->getNetwork(), io.provider->getTimer(),
             {NodeConfig{"just.hungry", server.address(), ""}}, policy) {
  fake.dropConnection = [this]() { server.dropConnections(); };
}

int ClientRig::run(const std::vector<std::string>& args) {
  auto parsed = parseCommandLine(args);
  if (auto* error = std::get_if<UsageError>(&parsed)) {
    bool json = std::find(args.begin(), args.end(), "--json") != args.end();
    return Reporter(out, err, json).usageError("USAGE", error->message);
  }
  const CommandLine& cl = std::get<CommandLine>(parsed);
  Reporter reporter(out, err, cl.json);
  return runOneShot(cl, client, reporter).wait(io.waitScope);
}

}  // namespace jh::client::test
