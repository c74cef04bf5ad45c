"""Every write of the agencies app: requests, their targets and clocks, trusted flaggers."""
