import ArgumentParser
import LedgerCore
import MarketKit
import ModelMarketKit

/// Every call the chain's modules accept, named `module.call`, with the dmctl command that
/// submits it. The initialisers switch exhaustively over each module's `Call`, so a case added
/// to a module does not compile until it is listed here, and ``submission`` then does not
/// compile until it names its command (or says which server submits it).
enum ProtocolCall: String, CaseIterable, Sendable {
    // MARK: - LedgerModule
    case createToken = "ledger.createToken", mint = "ledger.mint", burn = "ledger.burn", transfer = "ledger.transfer"
    case approve = "ledger.approve", transferFrom = "ledger.transferFrom", mintNFT = "ledger.mintNFT"
    case transferNFT = "ledger.transferNFT", approveNFT = "ledger.approveNFT", updateNFTMetadata = "ledger.updateNFTMetadata"
    case openStream = "ledger.openStream", claimStream = "ledger.claimStream", cancelStream = "ledger.cancelStream"
    // MARK: - MarketModule
    case createMarket = "market.create", apply = "market.apply", attest = "market.attest", challenge = "market.challenge"
    case vote = "market.vote", resolve = "market.resolve", expire = "market.expire", exit = "market.exit"
    case invest = "market.invest", divest = "market.divest", convertToInvestor = "market.convertToInvestor"
    case setAccessCost = "market.setAccessCost", setComputeCost = "market.setComputeCost", payForCompute = "market.payForCompute"
    case reportJob = "market.reportJob", refundJob = "market.refundJob", updateListingsAccessed = "market.updateListingsAccessed"
    case proposeBackend = "market.proposeBackend", proposeBackendRemoval = "market.proposeBackendRemoval"
    case proposeReparam = "market.proposeReparam"
    // MARK: - RolesModule
    case mintData = "roles.mintData", disclose = "roles.disclose", tieListing = "roles.tieListing"
    case offerUsage = "roles.offerUsage", withdrawOffer = "roles.withdrawOffer", acceptUsage = "roles.acceptUsage"
    case recordDataUse = "roles.recordDataUse", closeAgreement = "roles.closeAgreement"
    case createPortfolio = "roles.createPortfolio", usePortfolio = "roles.usePortfolio", retirePortfolio = "roles.retirePortfolio"
    case mintModel = "roles.mintModel", setPrice = "roles.setPrice", useModel = "roles.useModel"
    case buyUseBundle = "roles.buyUseBundle", reportBundleUses = "roles.reportBundleUses", refundBundle = "roles.refundBundle"
    case evaluate = "roles.evaluate", review = "roles.review"
    case createPool = "roles.createPool", fundPool = "roles.fundPool", admitPortfolio = "roles.admitPortfolio"
    case claim = "roles.claim", closePool = "roles.closePool"
    // MARK: - ModelBountyModule
    case createBounty = "bounty.create", submit = "bounty.submit", withdraw = "bounty.withdraw", cancel = "bounty.cancel"
    case revealTruth = "bounty.revealTruth", claimScore = "bounty.claim", pick = "bounty.pick", reveal = "bounty.reveal"
    case timeout = "bounty.timeout"
    // MARK: - DataBountyModule
    case createDataBounty = "databounty.create", join = "databounty.join", commitGradient = "databounty.commitGradient"
    case commitAggregate = "databounty.commitAggregate", postRound = "databounty.postRound", revealValidation = "databounty.reveal"
    case challengeError = "databounty.challengeError", finalize = "databounty.finalize"

    /// How a call reaches the chain.
    enum Submission: Equatable, Sendable {
        /// A user submits it with this command (the words after `dmctl`).
        case command(String)
        /// A server submits it on its own; the text says which and when.
        case service(String)
    }

    /// The command that submits the call, or the server that does.
    var submission: Submission {
        switch self {
        case .createToken: .command("token create")
        case .mint: .command("token mint")
        case .burn: .command("token burn")
        case .transfer: .command("token transfer")
        case .approve: .command("token approve")
        case .transferFrom: .command("token transfer-from")
        case .mintNFT: .command("nft mint")
        case .transferNFT: .command("nft transfer")
        case .approveNFT: .command("nft approve")
        case .updateNFTMetadata: .command("nft set-metadata")
        case .openStream: .command("stream open")
        case .claimStream: .command("stream claim")
        case .cancelStream: .command("stream cancel")
        case .createMarket: .command("market create")
        case .apply: .command("market apply")
        case .attest: .command("market attest")
        case .challenge: .command("market challenge")
        case .vote: .command("market vote")
        case .resolve: .command("market resolve")
        case .expire: .command("market expire")
        case .exit: .command("market exit")
        case .invest: .command("market invest")
        case .divest: .command("market divest")
        case .convertToInvestor: .command("market convert")
        case .setAccessCost: .command("market set-access-cost")
        case .setComputeCost: .command("market set-compute-cost")
        case .payForCompute: .command("market pay")
        case .reportJob: .command("market report")
        case .refundJob: .command("market refund")
        case .updateListingsAccessed: .command("market report-accesses")
        case .proposeBackend: .command("market backend propose")
        case .proposeBackendRemoval: .command("market backend remove")
        case .proposeReparam: .command("market reparam propose")
        case .mintData: .command("data mint")
        case .disclose: .command("data disclose")
        case .tieListing: .command("data tie")
        case .offerUsage: .command("usage offer")
        case .withdrawOffer: .command("usage withdraw")
        case .acceptUsage: .command("usage accept")
        case .recordDataUse: .command("usage record")
        case .closeAgreement: .command("usage close")
        case .createPortfolio: .command("portfolio create")
        case .usePortfolio: .command("portfolio use")
        case .retirePortfolio: .command("portfolio retire")
        case .mintModel: .command("model mint")
        case .setPrice: .command("model price")
        case .useModel: .command("model use")
        case .buyUseBundle: .command("model bundle buy")
        case .reportBundleUses:
            .service("dmctl model serve: the host signs it every --report-interval seconds for the prepaid uses it served")
        case .refundBundle: .command("model bundle refund")
        case .evaluate: .command("eval post")
        case .review: .command("eval review")
        case .createPool: .command("pool create")
        case .fundPool: .command("pool fund")
        case .admitPortfolio: .command("pool admit")
        case .claim: .command("data claim")
        case .closePool: .command("pool close")
        case .createBounty: .command("bounty create")
        case .submit: .command("bounty submit")
        case .withdraw, .cancel: .command("bounty cancel")
        case .revealTruth: .command("bounty truth")
        case .claimScore: .command("bounty claim")
        case .pick: .command("bounty pick")
        case .reveal: .command("bounty reveal")
        case .timeout: .command("bounty timeout")
        case .createDataBounty: .command("databounty create")
        case .join: .command("databounty join")
        case .commitGradient: .command("databounty commit")
        case .commitAggregate: .command("databounty aggregate")
        case .postRound: .command("databounty post")
        case .revealValidation: .command("databounty reveal")
        case .challengeError: .command("databounty challenge")
        case .finalize: .command("databounty finalize")
        }
    }

    // MARK: - From the modules' calls

    /// The entry of a ledger call.
    init(_ call: LedgerModule.Call) {
        switch call {
        case .createToken: self = .createToken
        case .mint: self = .mint
        case .burn: self = .burn
        case .transfer: self = .transfer
        case .approve: self = .approve
        case .transferFrom: self = .transferFrom
        case .mintNFT: self = .mintNFT
        case .transferNFT: self = .transferNFT
        case .approveNFT: self = .approveNFT
        case .updateNFTMetadata: self = .updateNFTMetadata
        case .openStream: self = .openStream
        case .claimStream: self = .claimStream
        case .cancelStream: self = .cancelStream
        }
    }

    /// The entry of a market call.
    init(_ call: MarketModule.Call) {
        switch call {
        case .create: self = .createMarket
        case .apply: self = .apply
        case .attest: self = .attest
        case .challenge: self = .challenge
        case .vote: self = .vote
        case .resolve: self = .resolve
        case .expire: self = .expire
        case .exit: self = .exit
        case .invest: self = .invest
        case .divest: self = .divest
        case .convertToInvestor: self = .convertToInvestor
        case .setAccessCost: self = .setAccessCost
        case .setComputeCost: self = .setComputeCost
        case .payForCompute: self = .payForCompute
        case .reportJob: self = .reportJob
        case .refundJob: self = .refundJob
        case .updateListingsAccessed: self = .updateListingsAccessed
        case .proposeBackend: self = .proposeBackend
        case .proposeBackendRemoval: self = .proposeBackendRemoval
        case .proposeReparam: self = .proposeReparam
        }
    }

    /// The entry of a roles call.
    init(_ call: RolesModule.Call) {
        switch call {
        case .mintData: self = .mintData
        case .disclose: self = .disclose
        case .tieListing: self = .tieListing
        case .offerUsage: self = .offerUsage
        case .withdrawOffer: self = .withdrawOffer
        case .acceptUsage: self = .acceptUsage
        case .recordDataUse: self = .recordDataUse
        case .closeAgreement: self = .closeAgreement
        case .createPortfolio: self = .createPortfolio
        case .usePortfolio: self = .usePortfolio
        case .retirePortfolio: self = .retirePortfolio
        case .mintModel: self = .mintModel
        case .setPrice: self = .setPrice
        case .useModel: self = .useModel
        case .buyUseBundle: self = .buyUseBundle
        case .reportBundleUses: self = .reportBundleUses
        case .refundBundle: self = .refundBundle
        case .evaluate: self = .evaluate
        case .review: self = .review
        case .createPool: self = .createPool
        case .fundPool: self = .fundPool
        case .admitPortfolio: self = .admitPortfolio
        case .claim: self = .claim
        case .closePool: self = .closePool
        }
    }

    /// The entry of a model-bounty call.
    init(_ call: ModelBountyModule.Call) {
        switch call {
        case .create: self = .createBounty
        case .submit: self = .submit
        case .withdraw: self = .withdraw
        case .cancel: self = .cancel
        case .revealTruth: self = .revealTruth
        case .claim: self = .claimScore
        case .pick: self = .pick
        case .reveal: self = .reveal
        case .timeout: self = .timeout
        }
    }

    /// The entry of a data-bounty call.
    init(_ call: DataBountyModule.Call) {
        switch call {
        case .create: self = .createDataBounty
        case .join: self = .join
        case .commitGradient: self = .commitGradient
        case .commitAggregate: self = .commitAggregate
        case .postRound: self = .postRound
        case .reveal: self = .revealValidation
        case .challengeError: self = .challengeError
        case .finalize: self = .finalize
        }
    }
}

/// `dmctl calls`: the table of protocol calls and the commands that submit them.
struct CallsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls",
        abstract: "List every call the chain's modules accept and the dmctl command that submits it.",
        discussion: """
            A call no user submits names the server that does (the model host reports the prepaid \
            uses it served). The README's table of calls is this list.

            Example: dmctl calls --json
            """)
    @OptionGroup var global: GlobalOptions

    /// One row of the list.
    struct Row: Encodable {
        let call: String
        let command: String?
        let submittedBy: String?
    }

    func run() throws {
        let rows = ProtocolCall.allCases.map { call -> Row in
            switch call.submission {
            case .command(let words): Row(call: call.rawValue, command: "dmctl " + words, submittedBy: nil)
            case .service(let who): Row(call: call.rawValue, command: nil, submittedBy: who)
            }
        }
        if global.json { return try Output.json(rows) }
        Output.table(["CALL", "SUBMITTED BY"], rows.map { [$0.call, $0.command ?? $0.submittedBy ?? "-"] })
    }
}
