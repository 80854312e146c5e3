-- wrk script: POST the file named by $LOADTEST_BODY with Content-Type $LOADTEST_TYPE and, when
-- $LOADTEST_HEADER_LENGTH is set, Inference-Header-Content-Length (the protocol's binary tensor data).
local f = assert(io.open(os.getenv("LOADTEST_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = os.getenv("LOADTEST_TYPE")
local header_length = os.getenv("LOADTEST_HEADER_LENGTH")
if header_length and header_length ~= "" then
  wrk.headers["Inference-Header-Content-Length"] = header_length
end
