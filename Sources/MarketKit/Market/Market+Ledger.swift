import LedgerCore

// MARK: - Token and escrow operations, with ledger refusals reported as MarketError

extension Market {
    /// Moves `amount` of the signer's NetworkToken into `escrow`, naming a shortfall first.
    func deposit(into escrow: UInt64, amount: UInt256, context: inout ExecutionContext) throws(MarketError) {
        guard !amount.isZero else { return }
        let have = context.balance(of: context.sender, in: networkToken)
        guard have >= amount else {
            throw .insufficientBalance(token: networkToken, account: context.sender, balance: have, needed: amount)
        }
        do { try context.depositFromSender(into: escrow, amount: amount) } catch { throw .ledger(error) }
    }

    /// Pays `amount` out of `escrow` to `recipient` (never more than the escrow holds).
    func pay(from escrow: UInt64, to recipient: Address, amount: UInt256, context: inout ExecutionContext) throws(MarketError) {
        guard !amount.isZero else { return }
        do { try context.release(from: escrow, to: recipient, amount: amount) } catch { throw .ledger(error) }
    }

    /// Moves `amount` between two of the market's NetworkToken escrows.
    func transfer(from source: UInt64, to target: UInt64, amount: UInt256, context: inout ExecutionContext) throws(MarketError) {
        guard !amount.isZero else { return }
        do { try context.move(from: source, to: target, amount: amount) } catch { throw .ledger(error) }
    }

    /// What the reserve holds now.
    func reserveHeld(_ context: ExecutionContext) throws(MarketError) -> UInt256 {
        do { return try context.escrow(reserveEscrow).held } catch { throw .ledger(error) }
    }

    /// Mints MarketToken to `account` and updates its council membership.
    mutating func mintTokens(to account: Address, amount: UInt256, context: inout ExecutionContext) throws(MarketError) {
        guard !amount.isZero else { return }
        do { try context.mint(marketToken, to: account, amount: amount) } catch { throw .ledger(error) }
        minted = try Arith.add(minted, amount, "minted")
        refreshCouncil(account, context: context)
    }

    /// Burns the signer's MarketToken and updates its council membership.
    mutating func burnSenderTokens(_ amount: UInt256, context: inout ExecutionContext) throws(MarketError) {
        guard !amount.isZero else { return }
        do { try context.burnFromSender(marketToken, amount: amount) } catch { throw .ledger(error) }
        burned = try Arith.add(burned, amount, "burned")
        refreshCouncil(context.sender, context: context)
    }

    /// Mints a listing's reward into the reward escrow.
    mutating func mintListingReward(_ amount: UInt256, context: inout ExecutionContext) throws(MarketError) {
        guard !amount.isZero else { return }
        do { try context.mint(into: rewardEscrow, amount: amount) } catch { throw .ledger(error) }
        minted = try Arith.add(minted, amount, "minted")
    }

    /// Burns a listing's rewards from the reward escrow.
    mutating func burnListingRewards(_ amount: UInt256, context: inout ExecutionContext) throws(MarketError) {
        guard !amount.isZero else { return }
        do { try context.burn(from: rewardEscrow, amount: amount) } catch { throw .ledger(error) }
        burned = try Arith.add(burned, amount, "burned")
    }

    /// Adds or removes `account` from the council after its MarketToken balance changed:
    /// O(log n). The MarketToken is module-bound, so balances change only through the market
    /// and this is called on every such change.
    mutating func refreshCouncil(_ account: Address, context: ExecutionContext) {
        if context.balance(of: account, in: marketToken) > parameters.councilThreshold {
            council[account] = true
        } else {
            council[account] = nil
        }
    }

    /// Rebuilds the council from every holder: O(holders), run only when the threshold changes.
    mutating func rebuildCouncil(context: ExecutionContext) {
        for account in holders.keys { refreshCouncil(account, context: context) }
    }

    /// Records a market event, naming the market first.
    func emit(_ kind: String, accounts: [Address] = [], _ fields: [Event.Field], context: inout ExecutionContext) {
        context.emit(kind, accounts: accounts, fields: [.init("market", id.slug)] + fields)
    }
}
