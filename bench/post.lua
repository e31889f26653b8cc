-- wrk script for bench/run.py: POSTs one fixed JSON body, read from the file named by the first
-- script argument, to the URL's path. Credentials come from run.py as a -H header.
--
--   wrk -t2 -c64 -d10s --latency -s bench/post.lua -H 'Authorization: Basic ...' \
--     http://127.0.0.1:PORT/livechat/default/sendExternalTemplateMessageToCtlivesocial -- body.json
--
-- No request() or response() function: wrk builds the request once and sends it unchanged,
-- its fastest mode.

function init(args)
  local file = assert(io.open(args[1], "rb"),
                      "post.lua: cannot read the body file " .. tostring(args[1]))
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
