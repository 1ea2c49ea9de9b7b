-- Sends prepared requests in order, one line each, so that every quiz submission posts a
-- different open attempt with its owner's session cookie and CSRF token.
--   wrk -t1 ... -s walk.lua URL -- REQUESTS_FILE COOKIE_NAME
-- Each line of REQUESTS_FILE is METHOD <tab> PATH <tab> COOKIE <tab> BODY. Past the last line
-- it starts again; the caller compares the request count with the number of lines.

local requests = {}
local position = 0

function init(args)
  local cookie_name = args[2] or "session"
  for line in io.lines(args[1]) do
    local method, path, cookie, body = line:match("^(%u+)\t([^\t]+)\t([^\t]*)\t(.*)$")
    local headers = {}
    if cookie ~= "" then
      headers["Cookie"] = cookie_name .. "=" .. cookie
    end
    if body ~= "" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function done(summary, latency, _requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
