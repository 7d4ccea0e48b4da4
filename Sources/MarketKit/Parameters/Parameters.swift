public import LedgerCore

/// The Parameterizer of one market: every number that governs it.
///
/// Amounts are in wei (10^-18 of a token); percentages are whole numbers 0–100; times are
/// seconds. See ``MarketParameter`` for each one's unit and allowed range.
public struct Parameters: Codable, Sendable, Equatable {
    /// NetworkToken wei staked to challenge a listing or to propose a reparameterization.
    public var challengeStake: UInt256
    /// NetworkToken wei deposited with an application.
    public var applicationDeposit: UInt256
    /// Seconds a poll stays open for votes.
    public var voteBy: UInt256
    /// Percent of a poll's electorate that must vote.
    public var quorum: UInt256
    /// Percent of votes cast that must be yea.
    public var plurality: UInt256
    /// Percent of the loser's stake the winner of a challenge receives.
    public var dispensation: UInt256
    /// Council members hold strictly more than this many MarketToken wei.
    public var councilThreshold: UInt256
    /// NetworkToken wei per whole MarketToken at zero investor supply.
    public var priceFloor: UInt256
    /// NetworkToken wei per whole MarketToken added to the price per whole token of investor supply.
    public var priceSlope: UInt256
    /// MarketToken wei minted into a listing when it is listed.
    public var listReward: UInt256
    /// MarketToken wei minted to a listing's owner per reported access.
    public var accessReward: UInt256
    /// NetworkToken wei per access for listings the market owns.
    public var defaultAccessCost: UInt256
    /// Percent of a job price reserved for listing owners.
    public var makerPayment: UInt256
    /// Percent of a job price paid to the backend.
    public var backendPayment: UInt256
    /// Seconds after a vote closes during which the poll may be resolved.
    public var resolveDeadline: UInt256
    /// Seconds a backend has to report a paid job.
    public var jobTimeout: UInt256

    /// A parameter set; ``validate()`` checks it.
    public init(
        challengeStake: UInt256, applicationDeposit: UInt256, voteBy: UInt256, quorum: UInt256, plurality: UInt256,
        dispensation: UInt256, councilThreshold: UInt256, priceFloor: UInt256, priceSlope: UInt256,
        listReward: UInt256, accessReward: UInt256, defaultAccessCost: UInt256, makerPayment: UInt256,
        backendPayment: UInt256, resolveDeadline: UInt256, jobTimeout: UInt256
    ) {
        self.challengeStake = challengeStake
        self.applicationDeposit = applicationDeposit
        self.voteBy = voteBy
        self.quorum = quorum
        self.plurality = plurality
        self.dispensation = dispensation
        self.councilThreshold = councilThreshold
        self.priceFloor = priceFloor
        self.priceSlope = priceSlope
        self.listReward = listReward
        self.accessReward = accessReward
        self.defaultAccessCost = defaultAccessCost
        self.makerPayment = makerPayment
        self.backendPayment = backendPayment
        self.resolveDeadline = resolveDeadline
        self.jobTimeout = jobTimeout
    }

    /// Sensible defaults for an 18-decimal NetworkToken: 10-token stakes, 1-hour votes,
    /// 50 % quorum, 50 % plurality, 50 % dispensation, a 1,000-token council threshold, a price
    /// of 0.01 NetworkToken per MarketToken rising by 10^-6 per token of supply.
    public static let standard = Parameters(
        challengeStake: .tokens(10), applicationDeposit: .tokens(10), voteBy: 3600, quorum: 50, plurality: 50,
        dispensation: 50, councilThreshold: .tokens(1000), priceFloor: 10_000_000_000_000_000,
        priceSlope: 1_000_000_000_000, listReward: .tokens(250), accessReward: .tokens(1),
        defaultAccessCost: 1_000_000_000_000_000, makerPayment: 50, backendPayment: 25,
        resolveDeadline: 86_400, jobTimeout: 86_400)

    /// The value of `parameter`.
    public subscript(parameter: MarketParameter) -> UInt256 {
        get {
            switch parameter {
            case .challengeStake: challengeStake
            case .applicationDeposit: applicationDeposit
            case .voteBy: voteBy
            case .quorum: quorum
            case .plurality: plurality
            case .dispensation: dispensation
            case .councilThreshold: councilThreshold
            case .priceFloor: priceFloor
            case .priceSlope: priceSlope
            case .listReward: listReward
            case .accessReward: accessReward
            case .defaultAccessCost: defaultAccessCost
            case .makerPayment: makerPayment
            case .backendPayment: backendPayment
            case .resolveDeadline: resolveDeadline
            case .jobTimeout: jobTimeout
            }
        }
        set {
            switch parameter {
            case .challengeStake: challengeStake = newValue
            case .applicationDeposit: applicationDeposit = newValue
            case .voteBy: voteBy = newValue
            case .quorum: quorum = newValue
            case .plurality: plurality = newValue
            case .dispensation: dispensation = newValue
            case .councilThreshold: councilThreshold = newValue
            case .priceFloor: priceFloor = newValue
            case .priceSlope: priceSlope = newValue
            case .listReward: listReward = newValue
            case .accessReward: accessReward = newValue
            case .defaultAccessCost: defaultAccessCost = newValue
            case .makerPayment: makerPayment = newValue
            case .backendPayment: backendPayment = newValue
            case .resolveDeadline: resolveDeadline = newValue
            case .jobTimeout: jobTimeout = newValue
            }
        }
    }

    /// Checks every parameter against its bounds and the payment shares against 100.
    public func validate() throws(MarketError) {
        for p in MarketParameter.allCases { try p.check(self[p]) }
        try Parameters.checkShares(maker: makerPayment, backend: backendPayment)
    }

    /// Checks `maker + backend ≤ 100`.
    static func checkShares(maker: UInt256, backend: UInt256) throws(MarketError) {
        // Both are ≤ 100 (checked separately), so the sum cannot overflow.
        let sum = (try? maker.adding(backend)) ?? .max
        guard sum <= 100 else { throw .paymentSharesExceed100(maker: maker, backend: backend) }
    }

    /// A bounded time parameter as seconds (bounds keep it far below 2^64).
    func seconds(_ p: MarketParameter) -> UInt64 { self[p].uint64Value ?? .max }

    /// A percentage parameter as an integer 0–100.
    func percent(_ p: MarketParameter) -> UInt64 { self[p].uint64Value ?? 100 }
}
