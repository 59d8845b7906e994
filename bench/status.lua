-- wrk script for bench/load.py: counts responses by status class, so a page that redirects (to the login form,
-- when the session cookie broke) shows up: wrk itself counts 3xx as success.
-- Each thread has its own Lua state; done() (in the main state) adds up the threads' counters.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  s2, s3, s4, s5 = 0, 0, 0, 0
end

function response(status, headers, body)
  if status < 300 then
    s2 = s2 + 1
  elseif status < 400 then
    s3 = s3 + 1
  elseif status < 500 then
    s4 = s4 + 1
  else
    s5 = s5 + 1
  end
end

function done(summary, latency, requests)
  local total = { 0, 0, 0, 0 }
  for _, thread in ipairs(threads) do
    total[1] = total[1] + thread:get("s2")
    total[2] = total[2] + thread:get("s3")
    total[3] = total[3] + thread:get("s4")
    total[4] = total[4] + thread:get("s5")
  end
  io.write(string.format("statuses: 2xx=%d 3xx=%d 4xx=%d 5xx=%d\n", total[1], total[2], total[3], total[4]))
end
