-- wrk script: POST the PNG named by $LOADTEST_PNG to the URL given on wrk's command line.
local f = assert(io.open(os.getenv("LOADTEST_PNG"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "image/png"
