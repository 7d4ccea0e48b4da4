import HTTPEdge
import Testing

@Suite struct ClientRateLimiterTests {
    @Test func aClientGetsItsBurstThenIsRefusedUntilATokenRefills() async {
        // 3 requests per 60 s: one token every 20 s.
        let limiter = ClientRateLimiter(RateLimit(requests: 3, windowSeconds: 60))
        for _ in 0..<3 { #expect(await limiter.admit("a", now: 1_000) == Admission(admitted: true, retryAfter: 0)) }
        #expect(await limiter.admit("a", now: 1_000) == Admission(admitted: false, retryAfter: 20))
        #expect(await limiter.admit("a", now: 1_015) == Admission(admitted: false, retryAfter: 5))
        #expect(await limiter.admit("a", now: 1_020).admitted)
        #expect(await limiter.admit("a", now: 1_020) == Admission(admitted: false, retryAfter: 20))
    }

    @Test func eachKeyHasItsOwnBudget() async {
        let limiter = ClientRateLimiter(RateLimit(requests: 2, windowSeconds: 3_600))
        var answers: [Bool] = []
        for key in ["a", "a", "a", "b", "b", "b"] { answers.append(await limiter.admit(key, now: 0).admitted) }
        #expect(answers == [true, true, false, true, true, false])
    }

    @Test func aFrozenClockAdmitsExactlyTheLimit() async {
        let limiter = ClientRateLimiter(RateLimit(requests: 20, windowSeconds: 60))
        var admitted = 0
        for _ in 0..<200 where await limiter.admit("flood", now: 5).admitted { admitted += 1 }
        #expect(admitted == 20)
    }

    @Test func aClockThatGoesBackRefillsNothing() async {
        let limiter = ClientRateLimiter(RateLimit(requests: 1, windowSeconds: 10))
        #expect(await limiter.admit("a", now: 100).admitted)
        #expect(await limiter.admit("a", now: 50).admitted == false)
        #expect(await limiter.admit("a", now: 105).admitted == false)
        #expect(await limiter.admit("a", now: 110).admitted)
    }

    @Test func limitsBelowOneAreRaisedToOne() {
        #expect(RateLimit(requests: 0, windowSeconds: -5) == RateLimit(requests: 1, windowSeconds: 1))
    }

    @Test func idleFullBucketsAreForgottenAndStartFullAgain() async {
        let limiter = ClientRateLimiter(RateLimit(requests: 1, windowSeconds: 1))
        #expect(await limiter.admit("a", now: 0).admitted)
        // Past the sweep interval every bucket is full again; "a" is served at once.
        #expect(await limiter.admit("b", now: 120).admitted)
        #expect(await limiter.admit("a", now: 120).admitted)
        #expect(await limiter.admit("a", now: 120).admitted == false)
    }
}
