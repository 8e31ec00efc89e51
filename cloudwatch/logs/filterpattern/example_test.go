package filterpattern_test

import (
	"fmt"

	"github.com/devopsim/devopsim/cloudwatch/logs/filterpattern"
)

func Example() {
	p, err := filterpattern.Parse(`[ip, user, username, timestamp, request, status_code = 4*, bytes]`)
	if err != nil {
		panic(err)
	}
	line := `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`
	res, ok := p.Eval(line)
	bytes, _ := res.Value("$bytes")
	fmt.Println(ok, bytes)
	// Output: true 1534
}
