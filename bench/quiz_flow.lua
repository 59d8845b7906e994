-- wrk script for bench/load.py: the quiz through the JSON API, as a municipality's system would drive it.
--
--   wrk -t16 -c16 ... -s bench/quiz_flow.lua http://127.0.0.1:PORT -- PAIRS_FILE THREADS
--
-- PAIRS_FILE has one line per (learner, module): "<API token>\t<module slug>\t<JSON body of the submission>".
-- One connection per thread, so a thread's requests alternate strictly: POST /api/v1/modules/<slug>/attempts
-- (201 with the attempt), then POST /api/v1/attempts/<id>/submit with the correct answers (200, passed), then the
-- next pair. Thread n takes lines n, n + THREADS, …; no pair is used twice, since a passed module version cannot be
-- taken again (the start would answer 409). A thread that runs out of pairs starts over and counts "exhausted".

local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path, thread_count = args[1], tonumber(args[2])
  pairs_ = {}
  local line_number = 0
  for line in io.lines(path) do
    if line_number % thread_count == thread_index then
      local token, slug, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
      table.insert(pairs_, { token = token, slug = slug, body = body })
    end
    line_number = line_number + 1
  end
  position, attempt, current = 0, nil, nil
  started, passed, refused, failed, exhausted = 0, 0, 0, 0, 0
end

function request()
  if attempt then
    return wrk.format("POST", "/api/v1/attempts/" .. attempt .. "/submit", {
      ["Authorization"] = "Bearer " .. current.token,
      ["Content-Type"] = "application/json",
    }, current.body)
  end
  position = position + 1
  if position > #pairs_ then
    position = 1
    exhausted = exhausted + 1
  end
  current = pairs_[position]
  return wrk.format("POST", "/api/v1/modules/" .. current.slug .. "/attempts", {
    ["Authorization"] = "Bearer " .. current.token,
  }, "")
end

function response(status, headers, body)
  if attempt == nil then
    if status == 201 then
      started = started + 1
      -- The attempt's own id is the only numeric "id" (options and steps have letters).
      attempt = body:match('"id":%s*(%d+)')
    else
      refused = refused + 1
    end
  else
    attempt = nil
    if status == 200 and body:find('"passed":%s*true') then
      passed = passed + 1
    else
      failed = failed + 1
    end
  end
end

function done(summary, latency, requests)
  local total = { started = 0, passed = 0, refused = 0, failed = 0, exhausted = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(total) do
      total[name] = total[name] + thread:get(name)
    end
  end
  io.write(string.format(
    "quiz flow: started=%d passed=%d refused=%d failed=%d exhausted=%d\n",
    total.started, total.passed, total.refused, total.failed, total.exhausted
  ))
end
