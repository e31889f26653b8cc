-- wrk script for bench/run.py's end-to-end runs: sends exactly TOTAL template messages, spread
-- round-robin over the business numbers, each to a different customer, then stops.
--
--   wrk -t2 -c64 -d120s -s bench/e2e.lua -H 'Authorization: Basic ...' \
--     http://127.0.0.1:PORT/livechat/default/sendExternalTemplateMessageToCtlivesocial \
--     -- TOTAL THREADS NUMBER1,NUMBER2,... DONE_DIR [OFFSET]
--
-- Message g (OFFSET <= g < OFFSET + TOTAL; OFFSET is 0 unless given) goes from
-- NUMBERS[g mod #NUMBERS] to customer 3934036 followed by g mod 100000 in five digits, so no
-- (business number, customer) pair repeats within 100,000 messages and Meta's pair limit never
-- holds one back. Thread i (1-based) sends g = OFFSET+i-1, OFFSET+i-1+THREADS, ... Several wrk
-- processes share one run (one per gateway) with consecutive OFFSETs: the first sends messages
-- 0 to TOTAL1-1, the second gets OFFSET = TOTAL1, and so on.
--
-- wrk itself runs for its whole -d duration, so a thread that has had an answer to each of its
-- messages writes DONE_DIR/e2e-done-<i> ("<accepted> <refused>") and stops; run.py interrupts
-- wrk (SIGINT) once every thread has. Connections with nothing left to send ask GET /healthz
-- meanwhile (wrk must send something), which creates nothing. done() prints one line:
-- "e2e: sent S accepted A refused R" (accepted = 202, refused = any other answer to a POST).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local id, nthreads, quota, numbers, done_dir, offset, checking
local sent, answered, accepted, refused = 0, 0, 0, 0
local path, filler
local body_head = '{"customerPhoneNumber":"'
local body_mid = '","servicePhoneNumber":"'
local body_tail = '","templateName":"shipping_confirmation","language":"en_GB","header":null,'
  .. '"headerData":["Griffin"],"bodyData":["5"],"dynamicUrl":["contact-highway/"]}'

function init(args)
  id = wrk.thread:get("id")
  local total = tonumber(args[1])
  nthreads = tonumber(args[2])
  numbers = {}
  for n in string.gmatch(args[3], "[^,]+") do table.insert(numbers, n) end
  done_dir = args[4]
  offset = tonumber(args[5] or "0")
  quota = math.floor(total / nthreads)
  if id <= total % nthreads then quota = quota + 1 end
  path = wrk.path
  wrk.headers["Content-Type"] = "application/json"
  filler = wrk.format("GET", "/healthz")
  -- wrk calls the first thread's request() once before the run to check the request (and
  -- count pipelined ones) and never sends that one: answer it with the filler, so no message
  -- is skipped. (Were it ever sent, /healthz would be harmless.)
  checking = id == 1
  wrk.thread:set("sent", 0)
  wrk.thread:set("accepted", 0)
  wrk.thread:set("refused", 0)
end

function request()
  if checking then
    checking = false
    return filler
  end
  if sent >= quota then return filler end
  local g = offset + (id - 1) + sent * nthreads
  sent = sent + 1
  local body = body_head .. string.format("3934036%05d", g % 100000) .. body_mid
    .. numbers[(g % #numbers) + 1] .. body_tail
  return wrk.format("POST", path, nil, body)
end

function response(status, headers, body)
  -- /healthz answers {"result":true,"error":null,"status":"ok"}; a send never says "ok".
  if body and string.find(body, '"status":"ok"', 1, true) then return end
  answered = answered + 1
  if status == 202 then accepted = accepted + 1 else refused = refused + 1 end
  wrk.thread:set("sent", sent)
  wrk.thread:set("accepted", accepted)
  wrk.thread:set("refused", refused)
  if answered == quota then
    local file = io.open(done_dir .. "/e2e-done-" .. id, "w")
    if file then
      file:write(accepted, " ", refused, "\n")
      file:close()
    end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local s, a, r = 0, 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("sent")
    a = a + t:get("accepted")
    r = r + t:get("refused")
  end
  io.write(string.format("e2e: sent %d accepted %d refused %d\n", s, a, r))
end
