#include "fake-graph/meta_error.hpp"

#include <nlohmann/json.hpp>

namespace socialgate::fake_graph {

std::string_view DefaultTitle(int code) {
  switch (code) {
    case 0:
      return "AuthException";
    case 1:
      return "API Unknown";
    case 2:
      return "API Service";
    case 3:
      return "API Method";
    case 4:
      return "API Too Many Calls";
    case 10:
      return "API Permission Denied";
    case 100:
      return "Invalid parameter";
    case 190:
      return "Invalid OAuth access token";
    case 368:
      return "Temporarily blocked for policies violations";
    case 80007:
      return "Rate limit issues";
    case 130429:
      return "Rate limit hit";
    case 130472:
      return "User's number is part of an experiment";
    case 130497:
      return "Business account is restricted from messaging users in this country";
    case 131000:
      return "Something went wrong";
    case 131005:
      return "Access denied";
    case 131008:
      return "Required parameter is missing";
    case 131009:
      return "Parameter value is not valid";
    case 131016:
      return "Service unavailable";
    case 131021:
      return "Recipient cannot be sender";
    case 131026:
      return "Message undeliverable";
    case 131030:
      return "Recipient phone number not in allowed list";
    case 131031:
      return "Business Account locked";
    case 131042:
      return "Business eligibility payment issue";
    case 131045:
      return "Incorrect certificate";
    case 131047:
      return "Re-engagement message";
    case 131048:
      return "Spam rate limit hit";
    case 131049:
      return "Meta chose not to deliver";
    case 131050:
      return "User has stopped marketing messages";
    case 131051:
      return "Unsupported message type";
    case 131053:
      return "Media upload error";
    case 131056:
      return "(Business Account, Consumer Account) pair rate limit hit";
    case 131057:
      return "Account in maintenance mode";
    case 132000:
      return "Number of parameters does not match the expected number of params";
    case 132001:
      return "Template name does not exist in the translation";
    case 132005:
      return "Translated text too long";
    case 132007:
      return "Template Format Character Policy Violated";
    case 132012:
      return "Parameter format does not match format in the created template";
    case 132015:
      return "Template is Paused";
    case 132016:
      return "Template is Disabled";
    case 132018:
      return "There was an issue with the parameters in your template";
    case 133004:
      return "Server Temporarily Unavailable";
    case 133010:
      return "Phone number Not Registered";
    case 135000:
      return "Generic user error";
    default:
      break;
  }
  if (code >= 200 && code <= 299) return "Permission error";
  return "Unknown error";
}

unsigned DefaultHttpStatus(int code) {
  switch (code) {
    case 0:
    case 190:
      return 401;
    case 10:
    case 368:
    case 130497:
    case 131005:
    case 131031:
      return 403;
    case 132001:
      return 404;
    case 3:
    case 131000:
    case 131016:
    case 131045:
    case 131057:
      return 500;
    case 2:
    case 133004:
      return 503;
    default:
      break;
  }
  if (code >= 200 && code <= 299) return 403;
  return 400;
}

http::HttpResponse MetaError(int code, unsigned http_status, std::string_view title,
                             std::string_view details, std::string_view fbtrace_id) {
  const std::string_view shown_title = title.empty() ? DefaultTitle(code) : title;
  nlohmann::ordered_json error = {
      {"message", "(#" + std::to_string(code) + ") " + std::string(shown_title)},
      {"type", "OAuthException"},
      {"code", code},
      {"error_data", {{"messaging_product", "whatsapp"}, {"details", details}}},
      {"fbtrace_id", fbtrace_id},
  };
  http::HttpResponse response;
  response.status = http_status;
  // Details may quote what the client sent: replace invalid UTF-8 rather than throw.
  response.body = nlohmann::ordered_json{{"error", std::move(error)}}.dump(
      -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return response;
}

http::HttpResponse UnknownObjectError(std::string_view method, std::string_view object_id,
                                      std::string_view fbtrace_id) {
  std::string message = "Unsupported ";
  for (const char c : method) {
    message.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  message += " request. Object with ID '" + std::string(object_id) +
             "' does not exist, cannot be loaded due to missing permissions, or does not support "
             "this operation. Please read the Graph API documentation at "
             "https://developers.facebook.com/docs/graph-api";
  nlohmann::ordered_json error = {
      {"message", std::move(message)}, {"type", "GraphMethodException"}, {"code", 100},
      {"error_subcode", 33},           {"fbtrace_id", fbtrace_id},
  };
  http::HttpResponse response;
  response.status = 400;
  // The id is the client's path segment: replace invalid UTF-8 rather than throw.
  response.body = nlohmann::ordered_json{{"error", std::move(error)}}.dump(
      -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return response;
}

}  // namespace socialgate::fake_graph
