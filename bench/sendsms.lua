-- wrk script for the Kannel row of bench/run.py (bench/kannel_part.py): keep-alive GETs on
-- Kannel's sendsms interface, each message from the seed's business number to another customer.
--
--   wrk -t2 -c64 -d10s --latency -s bench/sendsms.lua http://127.0.0.1:PORT/cgi-bin/sendsms
--
-- Thread i (1-based) sends to customers 3934i followed by seven digits, cycling through
-- PER_THREAD of them, so the threads never share a number. The requests are built once in
-- init(); request() only hands out the next prepared one, so wrk spends little more per request
-- than with post.lua's fixed one. Kannel answers 202 "0: Accepted for delivery" once smsbox has
-- handed the message to bearerbox, which stores it; any other answer counts as non-2xx in
-- wrk's summary.

local PER_THREAD = 5000
local FROM = "3902124122690"
-- The seed template's text, as a customer would read it (URL-encoded).
local TEXT = "Your%20order%205%20has%20shipped.%20Track%20it%3A%20contact-highway%2F"

local count = 0

function setup(thread)
  count = count + 1
  thread:set("id", count)
end

local requests = {}
local next_index = 1

function init(args)
  local id = wrk.thread:get("id")
  local head = wrk.path .. "?username=bench&password=bench&from=" .. FROM .. "&text=" .. TEXT
    .. "&to="
  for i = 1, PER_THREAD do
    requests[i] = wrk.format("GET", head .. string.format("3934%d%07d", id, i))
  end
end

function request()
  local r = requests[next_index]
  next_index = next_index % PER_THREAD + 1
  return r
end
