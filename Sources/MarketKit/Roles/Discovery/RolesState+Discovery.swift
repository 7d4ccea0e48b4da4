import LedgerCore

// MARK: - Discovery queries over the roles state

extension RolesModule.State {
    /// A model and its score, for ranking.
    public struct RankedModel: Sendable, Equatable {
        /// The model id.
        public let model: UInt64
        /// Its score in hundredths of a star, nil without evaluations.
        public let score: UInt64?
        /// Its paid uses.
        public let uses: UInt64
    }

    /// Models by score, best first; unscored models last; ties by more uses, then lower id.
    public func modelsByScore(limit: Int = .max) -> [RankedModel] {
        let ranked = models.values.map { RankedModel(model: $0.id, score: score(ofModel: $0.id)?.hundredths, uses: $0.uses) }
        return Array(ranked.sorted { a, b in
            if a.score != b.score { return (a.score ?? 0, a.score != nil ? 1 : 0) > (b.score ?? 0, b.score != nil ? 1 : 0) }
            if a.uses != b.uses { return a.uses > b.uses }
            return a.model < b.model
        }.prefix(max(0, limit)))
    }

    /// Models by paid uses, most first; ties by lower id.
    public func modelsByUses(limit: Int = .max) -> [ModelToken] {
        Array(models.values.sorted { $0.uses != $1.uses ? $0.uses > $1.uses : $0.id < $1.id }.prefix(max(0, limit)))
    }

    /// Portfolios by uses (trainer uses + model uses), most first; ties by lower id. Retired
    /// portfolios are left out unless `includeRetired`.
    public func portfoliosByUses(includeRetired: Bool = false, limit: Int = .max) -> [Portfolio] {
        Array(portfolios.values.filter { includeRetired || $0.isActive }
            .sorted { $0.uses != $1.uses ? $0.uses > $1.uses : $0.id < $1.id }.prefix(max(0, limit)))
    }

    /// `$Data` tokens whose disclosure carries every tag in `tags` (case-sensitive, tags are
    /// lowercase), ascending by id.
    public func data(taggedWith tags: [String]) -> [DataToken] {
        data.values.filter { d in
            guard let have = d.disclosure?.tags else { return tags.isEmpty }
            return tags.allSatisfy(have.contains)
        }
    }
}
