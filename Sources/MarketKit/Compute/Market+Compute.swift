public import LedgerCore

// MARK: - Paid compute

extension Market {
    /// The price of a job: with A the access costs due to owners, C the backend's compute cost,
    /// m = makerPayment and k = backendPayment,
    /// `price = max(ceil(100·A / m), ceil(100·C / k))` (a term is 0 when its amount is 0),
    /// the smallest price whose maker share covers A and whose backend share covers C.
    public func jobPrice(accessTotal: UInt256, computeCost: UInt256) throws(MarketError) -> UInt256 {
        func grossUp(_ amount: UInt256, _ share: MarketParameter) throws(MarketError) -> UInt256 {
            guard !amount.isZero else { return .zero }
            let percent = parameters[share]
            guard !percent.isZero else { throw .paymentShareIsZero(parameter: share, amountDue: amount) }
            return try Arith.mulDivUp(amount, 100, percent, "job price")
        }
        return max(try grossUp(accessTotal, .makerPayment), try grossUp(computeCost, .backendPayment))
    }

    /// Escrows the price of one job over `listings` (nil: every listed listing) on `backend`.
    mutating func payForCompute(listings ids: [Hash32]?, maxPrice: UInt256, backend: Address, context: inout ExecutionContext) throws(MarketError) {
        guard let b = backends[backend] else { throw .notAuthorisedBackend(address: backend) }
        var costs: [UInt256] = []
        var accessTotal = UInt256.zero
        if let ids {
            guard ids.count <= MarketModule.maxListingsPerCall else {
                throw .tooManyListings(count: ids.count, max: MarketModule.maxListingsPerCall)
            }
            var seen = Set<Hash32>()
            costs.reserveCapacity(ids.count)
            for id in ids {
                guard seen.insert(id).inserted else { throw .duplicateListing(listing: id) }
                let l = try listing(id)
                guard l.listed else { throw .listingNotListed(listing: id) }
                let cost = l.effectiveAccessCost(parameters)
                costs.append(cost)
                accessTotal = try Arith.add(accessTotal, cost, "access total")
            }
        } else {
            accessTotal = try wholeMarketAccessCost()
        }
        let price = try jobPrice(accessTotal: accessTotal, computeCost: b.computeCost)
        guard price <= maxPrice else { throw .priceAboveMaximum(price: price, maxPrice: maxPrice) }
        try deposit(into: computeEscrow, amount: price, context: &context)
        let backendPay = try Arith.mulDiv(price, parameters.backendPayment, 100, "backend pay").quotient
        let now = context.timestamp
        let id = nextJobID
        nextJobID += 1
        let deadline = try Arith.add(now, parameters.seconds(.jobTimeout), "job deadline")
        jobs[id] = Job(
            id: id, buyer: context.sender, backend: backend, listings: ids, accessCosts: costs, accessTotal: accessTotal,
            computeCost: b.computeCost, price: price, backendPay: backendPay, paidAt: now, deadline: deadline)
        emit("ComputePaid", accounts: [context.sender, backend], [
            .init("job", "\(id)"), .init("price", price.description), .init("accessTotal", accessTotal.description),
            .init("computeCost", b.computeCost.description), .init("listings", ids.map { "\($0.count)" } ?? "all"),
            .init("deadline", "\(deadline)"),
        ], context: &context)
    }

    /// The job's backend reports it: each touched listing's owner is paid its access cost
    /// (from the job's access total, never beyond it) and minted `accessReward`; the backend
    /// gets `floor(price · backendPayment / 100)`; the reserve gets the rest.
    mutating func reportJob(_ jobID: UInt64, touched: [Hash32], context: inout ExecutionContext) throws(MarketError) {
        guard let job = jobs[jobID] else { throw .unknownJob(job: jobID) }
        guard context.sender == job.backend else { throw .notJobBackend(job: jobID, caller: context.sender, backend: job.backend) }
        let now = context.timestamp
        guard now <= job.deadline else { throw .jobDeadlinePassed(job: jobID, deadline: job.deadline, now: now) }
        guard touched.count <= MarketModule.maxListingsPerCall else {
            throw .tooManyListings(count: touched.count, max: MarketModule.maxListingsPerCall)
        }
        // For an explicit job, the cost recorded at payment; index the paid listings once.
        var paidCost: [Hash32: UInt256] = [:]
        if let ids = job.listings {
            for (i, id) in ids.enumerated() { paidCost[id] = job.accessCosts[i] }
        }
        var seen = Set<Hash32>()
        var budget = job.accessTotal
        var paidOwners = UInt256.zero
        for id in touched {
            guard seen.insert(id).inserted else { throw .duplicateListing(listing: id) }
            let cost: UInt256
            if job.listings != nil {
                guard let c = paidCost[id] else { throw .listingNotInJob(job: jobID, listing: id) }
                cost = c
            } else {
                let l = try listing(id)
                guard l.listed else { throw .listingNotListed(listing: id) }
                cost = l.effectiveAccessCost(parameters)
            }
            guard var l = listings[id] else { continue }  // removed since payment: its cost stays for the reserve
            let due = min(cost, budget)
            budget = try Arith.sub(budget, due, "access budget")
            l.accessCount += 1
            listings[id] = l
            if let owner = l.owner {
                try pay(from: computeEscrow, to: owner, amount: due, context: &context)
                paidOwners = try Arith.add(paidOwners, due, "owners paid")
                try mintTokens(to: owner, amount: parameters.accessReward, context: &context)
            }
        }
        try pay(from: computeEscrow, to: job.backend, amount: job.backendPay, context: &context)
        let rest = try Arith.sub(try Arith.sub(job.price, paidOwners, "job remainder"), job.backendPay, "job remainder")
        try transfer(from: computeEscrow, to: reserveEscrow, amount: rest, context: &context)
        jobs[jobID] = nil
        emit("JobReported", accounts: [job.buyer, job.backend], [
            .init("job", "\(jobID)"), .init("touched", "\(touched.count)"), .init("toOwners", paidOwners.description),
            .init("toBackend", job.backendPay.description), .init("toReserve", rest.description),
        ], context: &context)
    }

    /// Refunds a job not reported by its deadline to its buyer (anyone may call).
    mutating func refundJob(_ jobID: UInt64, context: inout ExecutionContext) throws(MarketError) {
        guard let job = jobs[jobID] else { throw .unknownJob(job: jobID) }
        let now = context.timestamp
        guard now > job.deadline else { throw .jobDeadlineNotReached(job: jobID, deadline: job.deadline, now: now) }
        try pay(from: computeEscrow, to: job.buyer, amount: job.price, context: &context)
        jobs[jobID] = nil
        emit("JobRefunded", accounts: [job.buyer], [.init("job", "\(jobID)"), .init("refunded", job.price.description)], context: &context)
    }

    /// The spec's coarse usage report: counts workloads, mints nothing (per-listing reports do).
    mutating func updateListingsAccessed(_ count: UInt64, context: inout ExecutionContext) throws(MarketError) {
        guard backends[context.sender] != nil else { throw .notAuthorisedBackend(address: context.sender) }
        let (sum, overflow) = coarseAccesses.addingReportingOverflow(count)
        guard !overflow else {
            throw .arithmetic(field: "coarseAccesses", .overflow(operation: "+", lhs: UInt256(coarseAccesses), rhs: UInt256(count)))
        }
        coarseAccesses = sum
        emit("ListingsAccessed", accounts: [context.sender], [.init("workloads", "\(count)"), .init("total", "\(sum)")], context: &context)
    }

    /// An authorised backend sets its compute cost per job (0...10^30 NetworkToken wei).
    mutating func setComputeCost(_ cost: UInt256, context: inout ExecutionContext) throws(MarketError) {
        guard var b = backends[context.sender] else { throw .notAuthorisedBackend(address: context.sender) }
        try MarketParameter.defaultAccessCost.check(cost)
        b.computeCost = cost
        backends[context.sender] = b
        emit("ComputeCostSet", accounts: [context.sender], [.init("cost", cost.description)], context: &context)
    }
}
