#include "store/postgres/session_statements.hpp"

#include <string>

namespace socialgate::store::postgres {
namespace {

using core::Result;

const Sql kPurgeSessions{"purge_sessions", "DELETE FROM sessions WHERE expires_at <= $1"};
const Sql kInsertSession{"insert_session",
                         "INSERT INTO sessions(token_hash, domain, user_name, created_at, "
                         "expires_at) VALUES($1, $2, $3, $4, $5)"};
const Sql kFindSession{"find_session",
                       "SELECT domain, user_name, created_at, expires_at FROM sessions "
                       "WHERE token_hash = $1 AND expires_at > $2"};
const Sql kDeleteSession{"delete_session", "DELETE FROM sessions WHERE token_hash = $1"};
const Sql kForgetAddresses{"forget_trusted_addresses",
                           "DELETE FROM trusted_addresses WHERE last_success_at < $1"};
const Sql kSaveAddress{
    "save_trusted_address",
    "INSERT INTO trusted_addresses(domain, user_name, address, last_success_at) "
    "VALUES($1, $2, $3, $4) ON CONFLICT (domain, user_name, address) DO UPDATE SET "
    "last_success_at = GREATEST(trusted_addresses.last_success_at, excluded.last_success_at)"};
const Sql kListAddresses{"list_trusted_addresses",
                         "SELECT domain, user_name, address, last_success_at FROM "
                         "trusted_addresses WHERE last_success_at >= $1 "
                         "ORDER BY last_success_at DESC LIMIT $2"};

}  // namespace

Result<Written> CreateSession(Connection& db, const Session& session) {
  Params purge;
  purge.Int(session.created_at_ms);
  SG_RETURN_IF_ERROR(db.Run(kPurgeSessions, purge));
  Params p;
  p.Text(session.token_hash)
      .Text(session.domain)
      .Text(session.user)
      .Int(session.created_at_ms)
      .Int(session.expires_at_ms);
  SG_RETURN_IF_ERROR(db.Run(kInsertSession, p));
  return Written{};
}

Result<std::optional<Session>> FindSession(Connection& db, std::string_view token_hash,
                                           std::int64_t now_ms) {
  Params p;
  p.Text(token_hash).Int(now_ms);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kFindSession, p));
  if (rows.size() == 0) return std::optional<Session>();
  return std::optional<Session>(Session{std::string(token_hash), rows.Text(0, 0), rows.Text(0, 1),
                                        rows.Int64(0, 2), rows.Int64(0, 3)});
}

Result<Written> DeleteSession(Connection& db, const SessionDeletion& deletion) {
  Params p;
  p.Text(deletion.token_hash);
  SG_ASSIGN_OR_RETURN(Rows done, db.Run(kDeleteSession, p));
  Written written;
  written.changed = done.Changed();
  return written;
}

Result<Written> SaveTrustedAddress(Connection& db, const TrustedAddressSave& save) {
  Params forget;
  forget.Int(save.forget_before_ms);
  SG_RETURN_IF_ERROR(db.Run(kForgetAddresses, forget));
  const TrustedAddress& t = save.trusted;
  Params p;
  p.Text(t.domain).Text(t.user).Text(t.address).Int(t.last_success_ms);
  SG_RETURN_IF_ERROR(db.Run(kSaveAddress, p));
  return Written{};
}

Result<std::vector<TrustedAddress>> ListTrustedAddresses(Connection& db, std::int64_t since_ms,
                                                         int limit) {
  Params p;
  p.Int(since_ms).Int(limit);
  SG_ASSIGN_OR_RETURN(Rows rows, db.Run(kListAddresses, p));
  std::vector<TrustedAddress> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    out.push_back(
        TrustedAddress{rows.Text(i, 0), rows.Text(i, 1), rows.Text(i, 2), rows.Int64(i, 3)});
  }
  return out;
}

}  // namespace socialgate::store::postgres
