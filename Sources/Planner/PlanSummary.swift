/// The figures at the top of a plan: counts, disk, lock time, duration and risk.
public struct PlanSummary: Sendable, Hashable, Codable {
    /// Number of steps.
    public var steps: Int
    /// Steps per phase (`prepare`, `swap`, `cleanup`), phases without steps left out.
    public var stepsByPhase: [String: Int]
    /// Steps per class (`online`, `brief-lock`, …), classes without steps left out.
    public var stepsByClass: [String: Int]
    /// Extra disk the shadows need while old and new copies coexist, from live sizes; `nil` if unknown.
    public var extraDiskBytes: Double?
    /// How long readers of the public views may wait in total: the sum of the swap steps' brief locks
    /// (each tenant swap blocks that tenant's branch of the public view, one after the other).
    public var publicViewLockSeconds: Double
    /// Sum of the steps' estimates, run one after the other; `nil` when some estimate is unknown.
    public var estimatedSeconds: Double?
    public var risk: RiskLevel
    /// Why the risk is what it is.
    public var riskReasons: [String]

    public init(
        steps: Int, stepsByPhase: [String: Int], stepsByClass: [String: Int], extraDiskBytes: Double?,
        publicViewLockSeconds: Double, estimatedSeconds: Double?, risk: RiskLevel, riskReasons: [String]
    ) {
        self.steps = steps
        self.stepsByPhase = stepsByPhase
        self.stepsByClass = stepsByClass
        self.extraDiskBytes = extraDiskBytes
        self.publicViewLockSeconds = publicViewLockSeconds
        self.estimatedSeconds = estimatedSeconds
        self.risk = risk
        self.riskReasons = riskReasons
    }

    enum CodingKeys: String, CodingKey {
        case steps, stepsByPhase, stepsByClass, extraDiskBytes, publicViewLockSeconds, estimatedSeconds, risk, riskReasons
    }

    /// Every key is always present (`null` when unknown).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(steps, forKey: .steps)
        try container.encode(stepsByPhase, forKey: .stepsByPhase)
        try container.encode(stepsByClass, forKey: .stepsByClass)
        try container.encode(extraDiskBytes, forKey: .extraDiskBytes)
        try container.encode(publicViewLockSeconds, forKey: .publicViewLockSeconds)
        try container.encode(estimatedSeconds, forKey: .estimatedSeconds)
        try container.encode(risk, forKey: .risk)
        try container.encode(riskReasons, forKey: .riskReasons)
    }
}
