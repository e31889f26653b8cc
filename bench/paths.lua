-- wrk script for bench/million_part.py's queries: GETs the request paths of a file in turn.
--
--   wrk -t2 -c8 -d3s -s bench/paths.lua -H 'Authorization: Basic ...' \
--     http://127.0.0.1:PORT/livechat/default/messages -- PATHS_FILE
--
-- PATHS_FILE holds one request path with its query a line (million_part.py writes them
-- shuffled: message ids for the status query, business numbers, customers or time windows for
-- the list). Thread i starts (i - 1) x 7919 lines into the file and goes round it, so the
-- threads ask different things. Any answer but 200 is counted by wrk as non-2xx.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local paths = {}
local next_index

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then table.insert(paths, line) end
  end
  if #paths == 0 then error("paths.lua: no paths in " .. args[1]) end
  local id = wrk.thread:get("id")
  next_index = ((id - 1) * 7919) % #paths
end

function request()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end
