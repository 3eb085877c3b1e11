-- wrk script of the web benchmark (bench/web.py), configured from the
-- environment: BENCH_METHOD (GET, POST, or GETPOST: a form then its POST),
-- BENCH_PATH, BENCH_COOKIES (Cookie headers separated by "|", one per
-- thread in turn: one session per connection) and BENCH_BODY (the POST's
-- fixed fields, url-encoded). Every POST gets a description of its own.

local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

function init(args)
  method = os.getenv("BENCH_METHOD")
  path = os.getenv("BENCH_PATH")
  body = os.getenv("BENCH_BODY") or ""
  local cookies = {}
  for cookie in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^|]+") do
    table.insert(cookies, cookie)
  end
  get_headers = {}
  if #cookies > 0 then
    get_headers["Cookie"] = cookies[(thread_id % #cookies) + 1]
  end
  post_headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  for k, v in pairs(get_headers) do post_headers[k] = v end
  math.randomseed(os.time() + thread_id)
  sent = 0
end

function request()
  sent = sent + 1
  local verb = method
  if method == "GETPOST" then
    verb = (sent % 2 == 1) and "GET" or "POST"
  end
  if verb == "GET" then
    return wrk.format("GET", path, get_headers)
  end
  -- "基准提交" and a unique tail: no duplicate-submission guard can hit.
  local text = "%E5%9F%BA%E5%87%86%E6%8F%90%E4%BA%A4" .. thread_id .. "-" ..
    sent .. "-" .. math.random(1, 1000000000)
  return wrk.format("POST", path, post_headers, body .. "&description=" .. text)
end
