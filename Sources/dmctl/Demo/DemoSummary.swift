/// What the demo did, in figures: printed as tables or as the `summary` of `--json`.
struct DemoSummary: Codable, Sendable {
    /// A phase's wall time.
    struct PhaseTime: Codable, Sendable {
        let phase: String
        let seconds: Double
    }

    /// An account's final holdings.
    struct Balance: Codable, Sendable {
        let role: String
        let name: String
        let address: String
        /// DMT with 18 decimals.
        let dmt: String
        /// The market's MarketToken with 18 decimals.
        let mkt: String
    }

    /// The market phase.
    struct MarketFigures: Codable, Sendable {
        var council: [String] = []
        var backend = ""
        var applied: [String] = []
        var listed: [String] = []
        var removed: [String] = []
        var flippedOwner = ""
        var challenger = ""
        var audit: [String: Double] = [:]
        var reserve = ""
        var spotPrice = ""
    }

    /// The investment phase.
    struct InvestmentFigures: Codable, Sendable {
        var invested: [String: String] = [:]
        var divested = ""
        var divestPayout = ""
        var reserve = ""
        var spotPrice = ""
        var investorSupply = ""
    }

    /// The queries phase.
    struct QueryFigures: Codable, Sendable {
        var jobPrice = ""
        var sql = ""
        var sqlColumns: [String] = []
        var sqlRows: [[String]] = []
        var privateQuery = ""
        var privateResult = ""
        var epsilonSpent = ""
        var listingsRead = 0
        var usageReports = 0
        var rewardsMinted: [String: String] = [:]
        var ownersPaid: [String: String] = [:]
        var backendPaid = ""
    }

    /// One trainer's entry in the model bounty.
    struct Entry: Codable, Sendable {
        let trainer: String
        let claimed: Int64
        let actual: Int64
        var outcome: String
    }

    /// The model-bounty phase.
    struct ModelBountyFigures: Codable, Sendable {
        var bounty: UInt64 = 0
        var reward = ""
        var stake = ""
        var testRows = 0
        var trainingRows = 0
        var entries: [Entry] = []
        var winner = ""
        var winnerScore: Int64 = 0
        var slashed: [String] = []
        var dataTokens: [UInt64] = []
        var portfolio: UInt64 = 0
        var model: UInt64 = 0
        var pricePerUse = ""
        var uses = 0
        var ratings: [UInt8] = []
        var modelScore = ""
        var modelOwnerEarned = ""
    }

    /// One round of the data bounty.
    struct Round: Codable, Sendable {
        let round: UInt64
        let error: UInt64
        let payout: String
    }

    /// The data-bounty phase.
    struct DataBountyFigures: Codable, Sendable {
        var bounty: UInt64 = 0
        var keyBits = 0
        var amount = ""
        var initialError: UInt64 = 0
        var targetError: UInt64 = 0
        var rounds: [Round] = []
        var targetReached = false
        var paid = ""
        var payouts: [String: String] = [:]
        var ciphertexts = 0
        /// How the gradients were aggregated.
        var mode = ""
        /// Gradient values sent in all rounds (packed into `ciphertexts`).
        var values = 0
        /// Values one packed ciphertext holds.
        var valuesPerCiphertext = 0
        /// Validation accuracy of the securely trained model.
        var accuracy = 0.0
        /// Validation accuracy of the plaintext reference learner on the pooled rows.
        var referenceAccuracy = 0.0
    }

    var seed: UInt64 = 0
    var accounts = 0
    var market = MarketFigures()
    var investment = InvestmentFigures()
    var queries = QueryFigures()
    var modelBounty = ModelBountyFigures()
    var dataBounty = DataBountyFigures()
    var stateHash = ""
    var blocks: UInt64 = 0
    var transactions = 0
    var events = 0
    var verified = false
    var phases: [PhaseTime] = []
    var balances: [Balance] = []
}

/// The `--json` document: every chain event, then the summary.
struct DemoJSON: Encodable {
    /// One chain event.
    struct EventEntry: Encodable {
        let height: UInt64
        let timestamp: UInt64
        let transaction: String
        let module: String
        let kind: String
        let accounts: [String]
        let fields: [String: String]
    }

    let events: [EventEntry]
    let summary: DemoSummary
}
