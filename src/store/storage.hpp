// File: store/storage.hpp
//
// An open store: the one owner of an engine (its connections, its committer thread), handing
// out the focused interfaces callers use. Each caller takes only the interface it needs:
//   Outbox            the API's inserts and reads, the dispatcher's claims, leases, outcomes
//   IdempotencyKeys   the send endpoint's Idempotency-Key
//   Sessions          auth::Authenticator's login sessions
//   TrustedAddresses  auth::Lockout's trusted addresses
//   DeliveryStatuses  the providers' status reports (dispatch::StoreStatusSink), and the
//                     deliveries to resume at start
//   NumberLeases      which instance sends for which business number (the dispatcher)
//   Callbacks         the callbacks to callers' URLs, one per status change (the sender)
//   TemplateCatalogs  the accounts' template catalogs as last synchronised from Meta
//   Conversations     the customers' inbound messages, their 24-hour windows, and chats
// The interfaces live as long as the Storage.
//
// Engines are chosen by the storage URL's scheme (engine_registry.hpp). A new engine implements
// this and the nine interfaces (store/committed_writes.hpp does the writes over a group commit).
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <memory>
#include <string_view>

#include "core/error.hpp"
#include "store/callbacks.hpp"
#include "store/conversations.hpp"
#include "store/delivery_statuses.hpp"
#include "store/idempotency_keys.hpp"
#include "store/number_leases.hpp"
#include "store/outbox.hpp"
#include "store/sessions.hpp"
#include "store/template_catalogs.hpp"
#include "store/trusted_addresses.hpp"

namespace socialgate::store {

class Storage {
 public:
  // Answers every write still queued, then closes the engine.
  virtual ~Storage() = default;
  Storage() = default;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  Storage(Storage&&) = delete;
  Storage& operator=(Storage&&) = delete;

  virtual Outbox& outbox() = 0;
  virtual IdempotencyKeys& idempotency_keys() = 0;
  virtual Sessions& sessions() = 0;
  virtual TrustedAddresses& trusted_addresses() = 0;
  virtual DeliveryStatuses& delivery_statuses() = 0;
  virtual NumberLeases& number_leases() = 0;
  virtual Callbacks& callbacks() = 0;
  virtual TemplateCatalogs& template_catalogs() = 0;
  virtual Conversations& conversations() = 0;

  // Returns once every write queued before the call has been committed and answered (its
  // `done` has run): at shutdown, before what those callbacks use is torn down. From a `done`
  // callback it returns at once.
  virtual void Drain() = 0;

  // Gives up to max_pages (at least 1) of the database's free pages back to the file system, so
  // that the file shrinks after deletions (the retention's, retention/message_retention.hpp):
  // SQLite's incremental vacuum, on a database made with auto_vacuum = INCREMENTAL (new ones
  // are); 0 on another SQLite database, whose free pages are reused by later writes all the same,
  // and on PostgreSQL, where autovacuum does it. How many pages it gave back. Waits its turn on
  // the store's writes.
  virtual core::Result<std::int64_t> ReclaimSpace(std::int64_t max_pages) = 0;
};

using StoragePtr = std::unique_ptr<Storage>;

// Opens the store named by a URL (see engine_registry.hpp for the schemes), creating its schema
// or migrating it to the current version. An unknown scheme is kInvalidArgument, naming the
// schemes there are.
core::Result<StoragePtr> OpenStorage(std::string_view url);

}  // namespace socialgate::store
