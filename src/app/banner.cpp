#include "app/banner.hpp"

namespace socialgate::app {
namespace {

// Wraps `s` in single quotes for a POSIX shell.
std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

std::string StartupBanner(const config::Config& config, const std::string& host,
                          std::uint16_t port) {
  const std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const bool tls = !config.server.tls_cert_file.empty();
  const std::string base =
      std::string(tls ? "https://" : "http://") + host_part + ":" + std::to_string(port);
  std::string out = "socialgate: listening on " + base + "\n";
  if (!config.example) return out;
  const auto& ex = *config.example;
  const config::Domain* domain = config.FindDomain(ex.domain);
  if (domain == nullptr || domain->numbers.empty()) return out;
  const std::string body =
      R"({"customerPhoneNumber":"393403603062","servicePhoneNumber":")" +
      domain->numbers.front().phone +
      R"(","templateName":"shipping_confirmation","language":"en_GB","header":null,)"
      R"("headerData":["Griffin"],"bodyData":["5"],"dynamicUrl":["contact-highway/"]})";
  const std::string credentials = ShellQuote(ex.user + ":" + ex.password);
  out += "\nSend the seed's example message (domain '" + domain->name + "'):\n\n";
  // A self-signed certificate needs curl told whom to trust.
  const std::string curl = tls ? "curl -sS --cacert " + ShellQuote(config.server.tls_cert_file)
                               : std::string("curl -sS");
  out += "  " + curl + " -u " + credentials + " -H 'Content-Type: application/json' \\\n    " +
         base + "/livechat/" + domain->name + "/sendExternalTemplateMessageToCtlivesocial \\\n" +
         "    -d " + ShellQuote(body) + "\n\n";
  out += "Then follow it with the messageId from the answer:\n\n";
  out += "  " + curl + " -u " + credentials + " " + base + "/livechat/" + domain->name +
         "/messages/MESSAGE_ID\n\n";
  return out;
}

}  // namespace socialgate::app
