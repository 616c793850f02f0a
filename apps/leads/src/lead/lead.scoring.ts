import type { CustomerType, LeadChannel } from '@crm/contracts';

/**
 * Lead scoring by rules: points for the channel the lead came through, the customer type, each
 * engagement (capped) and the company's size band. Configurable per deployment (LEAD_SCORING_RULES).
 */
export interface ScoringRules {
  channel: Partial<Record<LeadChannel, number>>;
  customerType: Partial<Record<CustomerType, number>>;
  perEngagement: number;
  maxEngagementPoints: number;
  /** Bands by minimum employees; the highest band the company reaches counts. */
  companySize: { minEmployees: number; points: number }[];
  /** Minimum score for a lead to be qualified. */
  qualificationThreshold: number;
}

export const DEFAULT_SCORING_RULES: ScoringRules = {
  channel: {
    referral: 25,
    event: 20,
    web_form: 15,
    campaign: 15,
    phone: 15,
    email: 10,
    social: 5,
    import: 0,
  },
  customerType: { prospect: 10, agenda_contact: 5 },
  perEngagement: 10,
  maxEngagementPoints: 30,
  companySize: [
    { minEmployees: 10, points: 5 },
    { minEmployees: 50, points: 10 },
    { minEmployees: 250, points: 20 },
    { minEmployees: 1000, points: 30 },
  ],
  qualificationThreshold: 40,
};

export interface ScoreInput {
  channel: LeadChannel;
  customerType: CustomerType;
  engagementCount: number;
  companySize?: number;
}

export interface Score {
  total: number;
  breakdown: Record<string, number>;
}

export function scoreLead(input: ScoreInput, rules: ScoringRules): Score {
  const band = [...rules.companySize]
    .sort((a, b) => b.minEmployees - a.minEmployees)
    .find((b) => (input.companySize ?? 0) >= b.minEmployees);
  const breakdown: Record<string, number> = {
    channel: rules.channel[input.channel] ?? 0,
    customerType: rules.customerType[input.customerType] ?? 0,
    engagements: Math.min(input.engagementCount * rules.perEngagement, rules.maxEngagementPoints),
    companySize: band?.points ?? 0,
  };
  const total = Object.values(breakdown).reduce((sum, points) => sum + points, 0);
  return { total, breakdown };
}
